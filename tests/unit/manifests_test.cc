// Table tests for manifests: quantities, parsing, defaults, validation messages, static pod identity.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "manifests/defaults.h"
#include "manifests/kubelet_config.h"
#include "manifests/loader.h"
#include "manifests/parser.h"
#include "manifests/printer.h"
#include "manifests/yaml_reader.h"
#include "manifests/static_pod.h"
#include "manifests/validation.h"

using namespace crilet::manifests;
using crilet::Status;

namespace {

LoadResult Load(const std::string& yaml, const std::string& file = "pod.yaml") {
  LoadOptions o;
  o.node_name = "node1";
  o.source = PodSource{"file", "/etc/kubernetes/manifests/" + file, 0};
  o.display_name = file;
  return LoadManifest(yaml, o);
}

std::vector<std::string> Errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

const char* kMinimal = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: busybox:1.36
)";

}  // namespace

TEST_CASE("quantities parse exactly in milli-units", "[quantity]") {
  struct Row {
    const char* text;
    int64_t milli;
  };
  for (const Row& r : std::vector<Row>{{"500m", 500},
                                       {"0.5", 500},
                                       {"1", 1000},
                                       {"2", 2000},
                                       {"128Mi", 128LL * 1024 * 1024 * 1000},
                                       {"1Gi", (1LL << 30) * 1000},
                                       {"1.5Gi", (3LL << 29) * 1000},
                                       {"100M", 100'000'000LL * 1000},
                                       {"1Ki", 1024 * 1000},
                                       {"1e3", 1'000'000},
                                       {"1E3", 1'000'000},
                                       {"1k", 1'000'000},
                                       {"0.1m", 1},  // rounds up, like MilliValue
                                       {"250u", 1},
                                       {"-1", -1000},
                                       {"+2", 2000}}) {
    std::string err;
    auto q = ParseQuantity(r.text, &err);
    INFO(r.text << ": " << err);
    REQUIRE(q.has_value());
    CHECK(q->milli == r.milli);
  }
  CHECK(ParseQuantity("128Mi", nullptr)->Value() == 128LL * 1024 * 1024);
  CHECK(ParseQuantity("500m", nullptr)->Value() == 1);
  for (const char* bad : {"", "abc", "1Gb", "1.2.3", "Mi", "1 Gi", "1e", "1e1000", "99999999999999999999Ei"}) {
    std::string err;
    INFO(bad);
    CHECK_FALSE(ParseQuantity(bad, &err).has_value());
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("a minimal pod loads with kubelet's defaults and static identity", "[manifests]") {
  auto r = Load(kMinimal);
  REQUIRE(r.errors.empty());
  REQUIRE(r.pods.size() == 1);
  const Pod& p = r.pods[0];
  CHECK(p.metadata.name == "web-node1");
  CHECK(p.metadata.namespace_ == "default");
  CHECK(p.metadata.uid.size() == 32);
  CHECK(p.metadata.annotations.at(kConfigHashAnnotation) == p.metadata.uid);
  CHECK(p.metadata.annotations.at(kConfigSourceAnnotation) == "file");
  CHECK(p.spec.node_name == "node1");
  CHECK(p.spec.restart_policy == "Always");
  CHECK(p.spec.dns_policy == "ClusterFirst");
  CHECK(p.spec.termination_grace_period_seconds == 30);
  const Container& c = p.spec.containers[0];
  CHECK(c.image_pull_policy == "IfNotPresent");
  CHECK(c.termination_message_path == "/dev/termination-log");
  CHECK(c.termination_message_policy == "File");
  REQUIRE(p.spec.tolerations.size() == 1);
  CHECK(p.spec.tolerations[0].operator_ == "Exists");
  CHECK(p.spec.tolerations[0].effect == "NoExecute");
}

TEST_CASE("the UID is stable for the same content and changes with an edit, node or path", "[manifests]") {
  std::string uid = Load(kMinimal).pods[0].metadata.uid;
  CHECK(Load(kMinimal).pods[0].metadata.uid == uid);
  // Comments and formatting do not matter: the decoded pod is hashed.
  CHECK(Load(std::string("# a comment\n") + kMinimal).pods[0].metadata.uid == uid);
  std::string edited = kMinimal;
  edited.replace(edited.find("1.36"), 4, "1.37");
  CHECK(Load(edited).pods[0].metadata.uid != uid);
  CHECK(Load(kMinimal, "other.yaml").pods[0].metadata.uid != uid);
  // An explicit uid is kept.
  auto r = Load("apiVersion: v1\nkind: Pod\nmetadata: {name: x, uid: my-uid}\nspec: {containers: [{name: a, image: b}]}\n");
  CHECK(r.pods[0].metadata.uid == "my-uid");
}

TEST_CASE("imagePullPolicy defaults from the tag", "[defaults]") {
  CHECK(DefaultPullPolicy("busybox") == "Always");
  CHECK(DefaultPullPolicy("busybox:latest") == "Always");
  CHECK(DefaultPullPolicy("busybox:1.36") == "IfNotPresent");
  CHECK(DefaultPullPolicy("localhost:5000/busybox") == "Always");
  CHECK(DefaultPullPolicy("localhost:5000/busybox:1.36") == "IfNotPresent");
  CHECK(DefaultPullPolicy("busybox@sha256:abcd") == "IfNotPresent");
}

TEST_CASE("probe, port and hostNetwork defaults", "[defaults]") {
  auto r = Load(R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostNetwork: true
  containers:
  - name: app
    image: busybox
    ports: [{containerPort: 8080}]
    livenessProbe:
      httpGet: {port: 8080}
)");
  REQUIRE(r.errors.empty());
  const Container& c = r.pods[0].spec.containers[0];
  CHECK(c.image_pull_policy == "Always");
  CHECK(c.ports[0].protocol == "TCP");
  CHECK(c.ports[0].host_port == 8080);
  const Probe& p = *c.liveness_probe;
  CHECK(p.timeout_seconds == 1);
  CHECK(p.period_seconds == 10);
  CHECK(p.success_threshold == 1);
  CHECK(p.failure_threshold == 3);
  CHECK(p.handler.http_get->path == "/");
  CHECK(p.handler.http_get->scheme == "HTTP");
}

TEST_CASE("validation errors name file, line, field path and the problem", "[validation]") {
  struct Row {
    std::string yaml;
    std::string error;
  };
  const std::string head = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n";
  std::vector<Row> rows = {
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {containers: [{name: a, image: b}]}\n",
       "pod.yaml:1: apiVersion: unsupported \"apps/v1\": a static pod is apiVersion v1"},
      {"apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\nspec: {containers: [{name: a, image: b}]}\n",
       "pod.yaml:2: kind: unknown kind \"Deployment\": a static pod manifest holds kind Pod, ConfigMap, Secret, PersistentVolumeClaim or PersistentVolume"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {containers: [{name: a, image: b}]}\n",
       "pod.yaml:3: metadata.name: required"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\nspec: {containers: [{name: a, image: b}]}\n",
       "pod.yaml:3: metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
       "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"},
      {head + "  - name: App\n    image: b\n",
       "pod.yaml:7: spec.containers[0].name: a lowercase RFC 1123 label must consist of lower case alphanumeric "
       "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')"},
      {head + "  - name: a\n    image: b\n  - name: a\n    image: c\n",
       "pod.yaml:9: spec.containers[1].name: duplicate container name \"a\" (also spec.containers[0])"},
      {head + "  - name: a\n", "pod.yaml:7: spec.containers[0].image: required"},
      {head + "  - name: a\n    image: b\n    volumeMounts:\n    - name: data\n      mountPath: /data\n",
       "pod.yaml:10: spec.containers[0].volumeMounts[0].name: unknown volume \"data\" (spec.volumes declares none)"},
      {head + "  - name: a\n    image: b\n    volumeMounts:\n    - name: v\n      mountPath: data\n  volumes:\n  - name: v\n    emptyDir: {}\n",
       "pod.yaml:11: spec.containers[0].volumeMounts[0].mountPath: must be an absolute path"},
      {head + "  - name: a\n    image: b\n    resources:\n      limits:\n        memory: 12GB\n",
       "pod.yaml:11: spec.containers[0].resources.limits.memory: unknown suffix \"GB\": must be a quantity such as "
       "500m, 128Mi, 1Gi or 1e3"},
      {head + "  - name: a\n    image: b\n    ports:\n    - containerPort: 70000\n",
       "pod.yaml:10: spec.containers[0].ports[0].containerPort: must be a whole number from 1 to 65535"},
      {head + "  - name: a\n    image: b\n    livenessProbe:\n      httpGet:\n        port: 0\n",
       "pod.yaml:11: spec.containers[0].livenessProbe.httpGet.port: must be a number 1-65535 or a named container port"},
      {head + "  - name: a\n    image: b\n    livenessProbe:\n      httpGet:\n        port: metrics\n",
       "pod.yaml:11: spec.containers[0].livenessProbe.httpGet.port: must be a number 1-65535 or a named container "
       "port (container a has no port named \"metrics\")"},
      {head + "  - name: a\n    image: b\n    readinessProbe:\n      periodSeconds: 5\n",
       "pod.yaml:9: spec.containers[0].readinessProbe: must specify a handler: exec, httpGet, tcpSocket or grpc"},
      {head + "  - name: a\n    image: b\n    readinessProbe:\n      exec: {command: [true]}\n      tcpSocket: {port: 80}\n",
       "pod.yaml:9: spec.containers[0].readinessProbe: may not specify more than 1 handler type (found exec and tcpSocket)"},
      {head + "  - name: a\n    image: b\n    livenessProbe:\n      exec: {command: [true]}\n      successThreshold: 2\n",
       "pod.yaml:11: spec.containers[0].livenessProbe.successThreshold: must be 1"},
      {head + "  - name: a\n    image: b\n    env:\n    - name: X\n      valueFrom:\n        secretKeyRef: {name: s}\n",
       "pod.yaml:12: spec.containers[0].env[0].valueFrom.secretKeyRef.key: required"},
      {head + "  - name: a\n    image: b\n    env:\n    - name: X\n      valueFrom:\n        configMapKeyRef: {name: s, key: \"a b\"}\n",
       "pod.yaml:12: spec.containers[0].env[0].valueFrom.configMapKeyRef.key: invalid key \"a b\": a valid config key must "
       "consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name')"},
      {head + "  - name: a\n    image: b\n    envFrom:\n    - prefix: P_\n",
       "pod.yaml:10: spec.containers[0].envFrom[0]: must specify one of: `configMapRef` or `secretRef`"},
      {head + "  - name: a\n    image: b\n  restartPolicy: Sometimes\n",
       "pod.yaml:9: spec.restartPolicy: must be Always, OnFailure or Never"},
      {head + "  - name: a\n    image: b\n    imagePullPolicy: Maybe\n",
       "pod.yaml:9: spec.containers[0].imagePullPolicy: must be Always, IfNotPresent or Never"},
      {head + "  - name: a\n    image: b\n    restartPolicy: Always\n",
       "pod.yaml:9: spec.containers[0].restartPolicy: may only be set on init containers (to make them sidecars)"},
      {head + "  - name: a\n    image: b\n  volumes:\n  - name: s\n    secret: {secretName: x, items: [{key: k, path: ../x}]}\n",
       "pod.yaml:11: spec.volumes[0].secret.items[0].path: must not contain '..'"},
      {head + "  - name: a\n    image: b\n    ports:\n    - {name: HTTP, containerPort: 80}\n",
       "pod.yaml:10: spec.containers[0].ports[0].name: must contain only lowercase alphanumeric characters or '-' (e.g. 'http')"},
      {head + "  - name: a\n    image: b\n    env:\n    - {name: 'A=B', value: x}\n",
       "pod.yaml:10: spec.containers[0].env[0].name: must consist of printable ASCII characters other than '='"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n",
       "pod.yaml:4: spec.containers: required: a pod needs at least one container"},
  };
  for (const auto& r : rows) {
    auto result = Load(r.yaml);
    INFO(r.yaml);
    CHECK(result.pods.empty());
    auto errors = Errors(result);
    CHECK(std::find(errors.begin(), errors.end(), r.error) != errors.end());
    if (std::find(errors.begin(), errors.end(), r.error) == errors.end()) {
      for (const auto& e : errors) UNSCOPED_INFO("got: " << e);
      CHECK(errors.empty());  // shows the errors we got
    }
  }
}

TEST_CASE("unknown fields are warned about with path and line, not dropped silently", "[manifests]") {
  auto r = Load(R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: busybox:1.36
    imagePullSecret: x
  nodeSelektor: {a: b}
)");
  REQUIRE(r.errors.empty());
  REQUIRE(r.pods.size() == 1);
  std::vector<std::string> w;
  for (const auto& x : r.warnings) w.push_back(x.ToString());
  CHECK(w == std::vector<std::string>{"pod.yaml:8: spec.containers[0].imagePullSecret: unknown field, ignored",
                                      "pod.yaml:9: spec.nodeSelektor: unknown field, ignored"});
}

TEST_CASE("several documents per file, JSON, and PodLists", "[manifests]") {
  auto r = Load(std::string(kMinimal) + "---\n# empty doc\n---\n" +
                R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"json"},"spec":{"containers":[{"name":"a","image":"b"}]}})");
  REQUIRE(r.errors.empty());
  REQUIRE(r.pods.size() == 2);
  CHECK(r.pods[1].metadata.name == "json-node1");
  CHECK(r.pods[0].metadata.uid != r.pods[1].metadata.uid);
  auto list = Load(R"(apiVersion: v1
kind: PodList
items:
- {apiVersion: v1, kind: Pod, metadata: {name: one}, spec: {containers: [{name: a, image: b}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: two}, spec: {containers: [{name: a, image: b}]}}
)");
  REQUIRE(list.errors.empty());
  REQUIRE(list.pods.size() == 2);
  CHECK(list.pods[1].metadata.name == "two-node1");
  // One bad document does not hide the good ones.
  auto mixed = Load(std::string(kMinimal) + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: BAD}\nspec: {containers: [{name: a, image: b}]}\n");
  CHECK(mixed.pods.size() == 1);
  CHECK(mixed.errors.size() == 1);
}

TEST_CASE("hostile input is refused fast with a clear error", "[manifests][hostile]") {
  auto timed = [](const std::string& text) {
    auto start = std::chrono::steady_clock::now();
    auto r = Load(text);
    auto took = std::chrono::steady_clock::now() - start;
    return std::make_pair(r, took);
  };
  SECTION("alias bomb") {
    std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    for (char c = 'b'; c <= 'j'; ++c) {
      bomb += std::string(1, c) + ": &" + c + " [";
      for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
      bomb += "]\n";
    }
    bomb += "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: *j\n";
    auto [r, took] = timed(bomb);
    CHECK(r.pods.empty());
    CHECK_FALSE(r.errors.empty());
    CHECK(took < std::chrono::seconds(1));
  }
  SECTION("alias bomb under a field crilet ignores is refused too, as kubelet refuses it") {
    std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: c, image: i}]\n";
    std::string bomb = "bomb:\n  a: &a [x,x,x,x,x,x,x,x,x,x]\n";
    for (char c = 'b'; c <= 'l'; ++c) {
      bomb += std::string("  ") + c + ": &" + c + " [";
      for (int i = 0; i < 10; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
      bomb += "]\n";
    }
    auto [r, took] = timed(pod + bomb);
    CHECK(r.pods.empty());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].ToString() == "pod.yaml:12: document contains excessive aliasing (expands to more than 1000000 values)");
    CHECK(took < std::chrono::seconds(1));
  }
  SECTION("a few aliases are fine") {
    auto [r, took] = timed("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
                           "  - {name: a, image: i, command: &cmd [sleep, '1']}\n  - {name: b, image: i, command: *cmd}\n");
    CHECK(r.errors.empty());
    REQUIRE(r.pods.size() == 1);
    CHECK(r.pods[0].spec.containers[1].command == std::vector<std::string>{"sleep", "1"});
  }
  SECTION("deep nesting") {
    auto [r, took] = timed(std::string(100000, '[') + std::string(100000, ']'));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].ToString() == "pod.yaml:1: nested too deeply (more than 100 levels) to be a Pod manifest");
  }
  SECTION("a file over the size limit") {
    auto [r, took] = timed(std::string(kMaxManifestBytes + 10, 'a'));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.find("bytes, the limit for a manifest") != std::string::npos);
  }
  SECTION("binary garbage") {
    std::string junk;
    uint32_t x = 12345;
    for (int i = 0; i < 100000; ++i) {
      x = x * 1103515245 + 12345;
      junk += static_cast<char>((x >> 16) & 0xff);
    }
    auto [r, took] = timed(junk);
    CHECK(r.pods.empty());
    CHECK_FALSE(r.errors.empty());
    CHECK(took < std::chrono::seconds(1));
  }
  SECTION("a stray comma where a document starts (yaml-cpp 0.7 would loop forever; found by fuzzing)") {
    for (const char* text : {"#\n,", ",a", "a: 1\n---\n,", "[a]\n,", "\"a\"\n,", "!t ,"}) {
      auto [r, took] = timed(text);
      INFO(text);
      REQUIRE(r.errors.size() == 1);
      CHECK(r.errors[0].message == "not valid YAML or JSON: unexpected ','");
      CHECK(took < std::chrono::seconds(1));
    }
  }
  SECTION("a document without kind or apiVersion") {
    auto r = Load("metadata: {name: x}\nspec: {containers: [{name: a, image: b}]}\n");
    CHECK(Errors(r) == std::vector<std::string>{"pod.yaml:1: apiVersion: required (v1)", "pod.yaml:1: kind: required (Pod)"});
  }
  SECTION("huge numbers") {
    auto r = Load("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  terminationGracePeriodSeconds: 99999999999999999999999\n  containers: [{name: a, image: b}]\n");
    CHECK(Errors(r) == std::vector<std::string>{
                           "pod.yaml:5: spec.terminationGracePeriodSeconds: must be a whole number from 0 to 2147483647"});
  }
}

TEST_CASE("the printer round-trips through the parser", "[manifests]") {
  auto r = Load(R"(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  initContainers:
  - {name: init, image: busybox:1.36, command: [sh, -c, "echo hi"]}
  containers:
  - name: app
    image: busybox:1.36
    env: [{name: A, value: "1"}, {name: N, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
    ports: [{name: http, containerPort: 8080}]
    resources: {limits: {cpu: 500m, memory: 128Mi}}
    readinessProbe: {httpGet: {port: http, path: /ready}, periodSeconds: 5}
    lifecycle: {preStop: {sleep: {seconds: 3}}}
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, emptyDir: {medium: Memory, sizeLimit: 64Mi}}]
)");
  REQUIRE(r.errors.empty());
  std::string printed = PodToYaml(r.pods[0]);
  auto again = ParseManifest(printed, "printed.yaml");
  REQUIRE(again.size() == 1);
  CHECK(again[0].errors.empty());
  for (const auto& w : again[0].warnings) UNSCOPED_INFO(w.ToString());
  CHECK(again[0].warnings.empty());
  CHECK(again[0].pod.spec == r.pods[0].spec);
  CHECK(again[0].pod.metadata == r.pods[0].metadata);
}

TEST_CASE("configMap, secret, downwardAPI and projected volumes parse, default and round-trip", "[manifests]") {
  auto r = Load(R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: busybox:1.36
    resources: {limits: {memory: 64Mi}}
  volumes:
  - {name: cfg, configMap: {name: app, items: [{key: a, path: x/a, mode: 0400}], optional: true}}
  - {name: sec, secret: {secretName: db, defaultMode: 0440}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
  - name: all
    projected:
      sources:
      - configMap: {name: app}
      - secret: {name: db, items: [{key: password, path: pw}]}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
)");
  REQUIRE(r.errors.empty());
  const auto& vols = r.pods[0].spec.volumes;
  REQUIRE(vols.size() == 4);
  REQUIRE(vols[0].object);
  CHECK_FALSE(vols[0].empty_dir);
  CHECK(vols[0].object->default_mode == 0644);  // the API server's default
  CHECK(vols[0].object->sources[0].config_map->items[0].mode == 0400);
  CHECK(vols[1].object->default_mode == 0440);
  CHECK(vols[1].object->sources[0].secret->name == "db");
  CHECK(vols[2].object->sources[0].downward_api->items[1].divisor->text == "1Mi");
  CHECK(vols[3].object->sources.size() == 3);
  auto again = ParseManifest(PodToYaml(r.pods[0]), "printed.yaml");
  REQUIRE(again.size() == 1);
  CHECK(again[0].errors.empty());
  CHECK(again[0].pod.spec == r.pods[0].spec);
}

TEST_CASE("plain YAML integers are read as go-yaml reads them for kubelet", "[manifests]") {
  struct Case {
    const char* in;
    bool ok;
    long long want;
  };
  for (const Case& c : std::vector<Case>{{"420", true, 420},
                                         {"0644", true, 420},
                                         {"0o644", true, 420},
                                         {"0x1A4", true, 420},
                                         {"0b110100100", true, 420},
                                         {"-010", true, -8},
                                         {"+7", true, 7},
                                         {"1_000", true, 1000},
                                         {"0", true, 0},
                                         {"08", false, 0},
                                         {"0x", false, 0},
                                         {"--1", false, 0},
                                         {"12a", false, 0},
                                         {"", false, 0}}) {
    long long v = 0;
    CAPTURE(c.in);
    CHECK(ParseYaml11Int(c.in, &v) == c.ok);
    if (c.ok) CHECK(v == c.want);
  }
}

TEST_CASE("object volume errors name the file, line and field path", "[manifests]") {
  auto r = Load(R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: app, image: busybox:1.36}]
  volumes:
  - name: cfg
    configMap:
      name: app
      items: [{key: a, path: ../a}]
  - name: all
    projected:
      sources:
      - serviceAccountToken: {path: token}
)");
  std::vector<std::string> got;
  for (const auto& e : r.errors) got.push_back(e.ToString());
  CAPTURE(got);
  CHECK(std::count_if(got.begin(), got.end(), [](const std::string& e) {
          return e.rfind("pod.yaml:", 0) == 0 &&
                 e.find(": spec.volumes[0].configMap.items[0].path: must not contain '..'") != std::string::npos;
        }) == 1);
  CHECK(std::count_if(got.begin(), got.end(), [](const std::string& e) {
          return e.find("spec.volumes[1].projected.sources[0].serviceAccountToken: static pods cannot reference API "
                        "objects (serviceAccountToken in a projected volume)") != std::string::npos;
        }) == 1);
}

TEST_CASE("KubeletConfiguration: the supported subset, kubeadm files, errors", "[kubeletconfig]") {
  const char* kubeadm = R"(apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {cacheTTL: 0s, enabled: true}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization:
  mode: Webhook
  webhook: {cacheAuthorizedTTL: 0s, cacheUnauthorizedTTL: 0s}
cgroupDriver: systemd
clusterDNS: [10.96.0.10]
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
logging: {flushFrequency: 0, options: {json: {infoBufferSize: "0"}}, verbosity: 0}
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
)";
  KubeletConfigFile c;
  std::vector<std::string> warnings;
  Status s = ParseKubeletConfig(kubeadm, "kubelet.yaml", &c, &warnings);
  REQUIRE(s.ok());
  CHECK(warnings.empty());
  CHECK(c.static_pod_path == "/etc/kubernetes/manifests");
  CHECK(c.cluster_dns == std::vector<std::string>{"10.96.0.10"});
  CHECK(c.cluster_domain == "cluster.local");
  // Zero values are kubelet's "use the default": they must not override crilet's defaults.
  CHECK_FALSE(c.container_runtime_endpoint.has_value());
  CHECK_FALSE(c.file_check_frequency.has_value());
  CHECK_FALSE(c.runtime_request_timeout.has_value());

  KubeletConfigFile d;
  warnings.clear();
  REQUIRE(ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                             "readOnlyPort: 10255\nfileCheckFrequency: 5s\ncrashLoopBackOff:\n  maxContainerRestartPeriod: 60s\n"
                             "staticPodPathh: /x\n",
                             "k.yaml", &d, &warnings)
              .ok());
  CHECK(d.read_only_port == 10255);
  CHECK(d.file_check_frequency == std::chrono::seconds(5));
  CHECK(d.crash_loop_max_restart_period == std::chrono::seconds(60));
  CHECK(warnings == std::vector<std::string>{"k.yaml:7: staticPodPathh: unknown field, ignored"});

  KubeletConfigFile e;
  Status bad = ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfileCheckFrequency: soon\n",
                                  "k.yaml", &e, &warnings);
  CHECK(bad.message() == "k.yaml:3: fileCheckFrequency: invalid duration \"soon\": expected a number");
  CHECK_FALSE(ParseKubeletConfig("kind: Pod\n", "k.yaml", &e, &warnings).ok());
  // A config without kind used to throw out of yaml-cpp (invalid node) and crash crilet run.
  Status nokind = ParseKubeletConfig("foo: 1\n", "k.yaml", &e, &warnings);
  CHECK(nokind.message() == "k.yaml: kind is \"\", expected KubeletConfiguration");
  CHECK_FALSE(ParseKubeletConfig(",", "k.yaml", &e, &warnings).ok());
}
