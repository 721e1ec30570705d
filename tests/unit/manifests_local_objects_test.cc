// ConfigMap and Secret documents: reading, base64, the API server's key and type checks, no secret in messages.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "common/base64.h"
#include "manifests/loader.h"
#include "manifests/local_object_reader.h"
#include "manifests/pod_config.h"

using namespace crilet;
using namespace crilet::manifests;

namespace {

LocalObjectDocument Read(const std::string& yaml) { return ReadLocalObject(YAML::Load(yaml), "objects.yaml"); }

std::string Joined(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.ToString() + "\n";
  return out;
}

}  // namespace

TEST_CASE("base64 as Go's StdEncoding: padding required, newlines ignored, other bytes refused", "[manifests][objects]") {
  std::string out, why;
  REQUIRE(DecodeBase64("aGVsbG8=", &out, &why));
  CHECK(out == "hello");
  REQUIRE(DecodeBase64("aGVs\nbG8h", &out, &why));
  CHECK(out == "hello!");
  REQUIRE(DecodeBase64("", &out, &why));
  CHECK(out.empty());
  REQUIRE(DecodeBase64("AAE=", &out, &why));
  CHECK(out == std::string("\0\1", 2));
  CHECK_FALSE(DecodeBase64("aGVsbG8", &out, &why));  // unpadded
  CHECK_FALSE(DecodeBase64("aGV*bG8=", &out, &why));
  CHECK(why == "illegal base64 data at input byte 3");
  CHECK_FALSE(DecodeBase64("aG=sbG8=", &out, &why));  // padding in the middle
  CHECK(EncodeBase64(std::string("\0\1", 2)) == "AAE=");
  CHECK(EncodeBase64("hello") == "aGVsbG8=");
}

TEST_CASE("a ConfigMap: data as text, binaryData decoded, metadata and immutable read", "[manifests][objects]") {
  auto d = Read(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: test, labels: {app: web}, creationTimestamp: null}
immutable: true
data:
  app.properties: |
    color=blue
  mode: "fast"
binaryData:
  logo.bin: AAE=
)");
  INFO(Joined(d.errors) << Joined(d.warnings));
  REQUIRE(d.errors.empty());
  CHECK(d.warnings.empty());
  REQUIRE(d.config_map);
  CHECK(d.config_map->name == "app-config");
  CHECK(d.config_map->namespace_ == "test");
  CHECK(d.config_map->labels.at("app") == "web");
  CHECK(d.config_map->immutable);
  CHECK(d.config_map->data.at("app.properties") == "color=blue\n");
  CHECK(d.config_map->binary_data.at("logo.bin") == std::string("\0\1", 2));
  CHECK_FALSE(d.secret);
}

TEST_CASE("a Secret: data decoded, stringData merged over it, type Opaque by default", "[manifests][objects]") {
  auto d = Read(R"(apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  user: YWRtaW4=
  password: b2xk
stringData:
  password: s3cret
)");
  INFO(Joined(d.errors));
  REQUIRE(d.secret);
  CHECK(d.secret->namespace_ == "default");
  CHECK(d.secret->type == "Opaque");
  CHECK(d.secret->data.at("user") == "admin");
  CHECK(d.secret->data.at("password") == "s3cret");
}

TEST_CASE("object keys as IsConfigMapKey, with the file, line and key in the message", "[manifests][objects]") {
  auto d = Read(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  ok.key_1-x: a
  "bad key": b
  ..hidden: c
binaryData:
  ok.key_1-x: AAE=
)");
  std::string all = Joined(d.errors);
  INFO(all);
  CHECK_FALSE(d.config_map);
  CHECK(all.find("objects.yaml:6: data[bad key]: invalid key: a valid config key must consist of alphanumeric") !=
        std::string::npos);
  CHECK(all.find("objects.yaml:7: data[..hidden]: invalid key: must not start with '..'") != std::string::npos);
  CHECK(all.find("objects.yaml:9: binaryData[ok.key_1-x]: duplicate of key present in data") != std::string::npos);
  CHECK(CheckObjectKey(std::string(254, 'a')) == "must be no more than 253 characters");
  CHECK(CheckObjectKey(".") == "must not be '.'");
  CHECK(CheckObjectKey(".dockerconfigjson").empty());
}

TEST_CASE("object names and namespaces are checked as the API server does", "[manifests][objects]") {
  auto d = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: \"a.b\"}\n");
  std::string all = Joined(d.errors);
  INFO(all);
  CHECK(all.find("metadata.name: invalid value \"Bad_Name\": a lowercase RFC 1123 subdomain") != std::string::npos);
  CHECK(all.find("metadata.namespace: invalid value \"a.b\"") != std::string::npos);
  CHECK(Joined(Read("apiVersion: v1\nkind: Secret\nmetadata: {}\n").errors).find("metadata.name: required") !=
        std::string::npos);
}

TEST_CASE("secret values never appear in errors or warnings", "[manifests][objects][safety]") {
  auto d = Read(R"(apiVersion: v1
kind: Secret
metadata: {name: s}
stringData:
  pin: 918273
data:
  token: "c2VjcmV0*dG9rZW4="
)");
  std::string all = Joined(d.errors) + Joined(d.warnings);
  INFO(all);
  CHECK(all.find("data[token]: not valid base64: illegal base64 data at input byte 8") != std::string::npos);
  CHECK(all.find("stringData.pin: expected a string, found a number (value not shown)") != std::string::npos);
  CHECK(all.find("918273") == std::string::npos);
  CHECK(all.find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("Secret types require their keys (dockerconfigjson as valid JSON, tls, basic-auth)", "[manifests][objects]") {
  auto pull = Read(R"(apiVersion: v1
kind: Secret
metadata: {name: pull}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"registry.lab:5000": {"auth": "dTpw"}}}'
)");
  INFO(Joined(pull.errors));
  REQUIRE(pull.secret);
  CHECK(pull.secret->type == "kubernetes.io/dockerconfigjson");

  auto bad = Read("apiVersion: v1\nkind: Secret\nmetadata: {name: pull}\ntype: kubernetes.io/dockerconfigjson\n"
                  "stringData: {.dockerconfigjson: 'not json'}\n");
  CHECK(Joined(bad.errors).find("data[.dockerconfigjson]: must be valid JSON") != std::string::npos);
  auto tls = Read("apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n");
  CHECK(Joined(tls.errors).find("data[tls.key]: required for a Secret of type kubernetes.io/tls") != std::string::npos);
  auto basic = Read("apiVersion: v1\nkind: Secret\nmetadata: {name: b}\ntype: kubernetes.io/basic-auth\n");
  CHECK(Joined(basic.errors).find("at least one of the keys username, password") != std::string::npos);
}

TEST_CASE("an object over 1 MiB of data is refused, and unknown fields are warned about", "[manifests][objects]") {
  std::string big = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: \"" + std::string(600 * 1024, 'x') +
                    "\"\n  b: \"" + std::string(600 * 1024, 'y') + "\"\n";
  auto d = Read(big);
  CHECK(Joined(d.errors).find("too long: data and binaryData must have at most 1048576 bytes in all") != std::string::npos);
  auto w = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nspec: {}\n");
  REQUIRE(w.config_map);
  CHECK(Joined(w.warnings).find("spec") != std::string::npos);
}

TEST_CASE("a manifest file holds pods, ConfigMaps and Secrets side by side", "[manifests][objects]") {
  LoadOptions lo;
  lo.node_name = "node1";
  lo.source = PodSource{"file", "/etc/kubernetes/manifests/app.yaml", 0};
  LoadResult r = LoadManifest(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: test}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret, namespace: test}
stringData: {token: abc}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: test}
spec:
  containers: [{name: c, image: busybox}]
)",
                              lo);
  INFO(Joined(r.errors));
  REQUIRE(r.errors.empty());
  CHECK(r.pods.size() == 1);
  REQUIRE(r.objects.config_maps.size() == 1);
  REQUIRE(r.objects.secrets.size() == 1);
  CHECK(r.objects.config_maps[0].source.path == "/etc/kubernetes/manifests/app.yaml");
  CHECK(r.objects.config_maps[0].source.document == 0);
  CHECK(r.objects.secrets[0].source.document == 1);
  CHECK(r.objects.FindConfigMap("test", "app-config")->data.at("color") == "blue");
  CHECK(r.objects.FindSecret("test", "app-secret")->data.at("token") == "abc");
  CHECK(r.objects.FindSecret("default", "app-secret") == nullptr);

  // A List may hold them too; an invalid one is an error of the file, with the item's path.
  LoadResult bad = LoadManifest("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}}\n"
                                "- {apiVersion: v1, kind: Secret, metadata: {name: s}, data: {k: '***'}}\n",
                                lo);
  CHECK(Joined(bad.errors).find("items[1].data[k]: not valid base64") != std::string::npos);
  CHECK(bad.objects.config_maps.size() == 1);
  CHECK(bad.objects.secrets.empty());
  // A ConfigMap without apiVersion is refused as a Pod would be.
  LoadResult untyped = LoadManifest("kind: ConfigMap\nmetadata: {name: c}\n", lo);
  CHECK(Joined(untyped.errors).find("apiVersion: required (v1)") != std::string::npos);
}

TEST_CASE("merging sources: the first ConfigMap or Secret of a name wins, later ones are reported", "[manifests][objects]") {
  std::map<std::string, FileState> files;
  ConfigMap a;
  a.name = "shared";
  a.data["from"] = "a";
  ConfigMap b = a;
  b.data["from"] = "b";
  Secret s;
  s.name = "shared";  // another kind: no clash
  files["/m/a.yaml"].objects.config_maps = {a};
  files["/m/b.yaml"].objects.config_maps = {b};
  files["/m/b.yaml"].objects.secrets = {s};
  std::vector<FieldError> problems;
  LocalObjects merged = MergeObjects(files, nullptr, "", &problems);
  REQUIRE(merged.config_maps.size() == 1);
  CHECK(merged.config_maps[0].data.at("from") == "a");
  CHECK(merged.secrets.size() == 1);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].ToString() ==
        "/m/b.yaml: metadata.name: ConfigMap default/shared is already declared by /m/a.yaml; this one is ignored");
}
