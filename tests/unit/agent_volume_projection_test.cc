// Object volumes: key projection, items, modes, optional sources, kubelet's missing-object texts, downward formatting.
#include <catch2/catch.hpp>

#include "common/go_quote.h"
#include "agent/volume_projection.h"
#include "manifests/object_volumes.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakePod;
using Kind = manifests::ObjectVolumeSource::Kind;

namespace {

manifests::LocalObjects Objects() {
  manifests::LocalObjects o;
  manifests::ConfigMap cm;
  cm.name = "app";
  cm.namespace_ = "test";
  cm.data = {{"a.conf", "alpha"}, {"b.conf", "beta"}};
  cm.binary_data = {{"blob", std::string("\x00\x01", 2)}};
  o.config_maps.push_back(cm);
  manifests::Secret s;
  s.name = "db";
  s.namespace_ = "test";
  s.data = {{"password", "s3cret"}};
  o.secrets.push_back(s);
  return o;
}

manifests::Volume CmVolume(std::vector<manifests::KeyToPath> items = {}, std::optional<bool> optional = {},
                           const std::string& name = "app") {
  manifests::Volume v;
  v.name = "cfg";
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kConfigMap;
  src.sources.push_back({manifests::ConfigMapProjection{name, std::move(items), optional}, {}, {}});
  v.object = src;
  return v;
}

manifests::Pod TestPod() {
  auto pod = MakePod();
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "test";
  return pod;
}

}  // namespace

TEST_CASE("configMap volume projects every key of data and binaryData with mode 0644", "[volumes]") {
  Projection out;
  REQUIRE(ProjectVolume(CmVolume(), TestPod(), Objects(), {}, &out).ok());
  REQUIRE(out.size() == 3);
  CHECK(out["a.conf"] == ProjectedFile{"alpha", 0644});
  CHECK(out["blob"].data == std::string("\x00\x01", 2));
}

TEST_CASE("configMap volume items pick keys, set paths and modes over defaultMode", "[volumes]") {
  auto vol = CmVolume({{"a.conf", "sub/dir/a", 0400}, {"b.conf", "b", std::nullopt}});
  vol.object->default_mode = 0600;
  Projection out;
  REQUIRE(ProjectVolume(vol, TestPod(), Objects(), {}, &out).ok());
  REQUIRE(out.size() == 2);
  CHECK(out["sub/dir/a"] == ProjectedFile{"alpha", 0400});
  CHECK(out["b"] == ProjectedFile{"beta", 0600});
}

TEST_CASE("missing configMap fails with kubelet's text unless optional", "[volumes]") {
  Projection out;
  Status s = ProjectVolume(CmVolume({}, {}, "nope"), TestPod(), Objects(), {}, &out);
  CHECK(s.IsNotFound());
  CHECK(s.message() == "configmap \"nope\" not found");
  REQUIRE(ProjectVolume(CmVolume({}, true, "nope"), TestPod(), Objects(), {}, &out).ok());
  CHECK(out.empty());
}

TEST_CASE("a configMap of another namespace is not visible", "[volumes]") {
  auto pod = TestPod();
  pod.metadata.namespace_ = "default";
  Projection out;
  CHECK(ProjectVolume(CmVolume(), pod, Objects(), {}, &out).message() == "configmap \"app\" not found");
}

TEST_CASE("missing item key fails unless optional, which skips it", "[volumes]") {
  Projection out;
  Status s = ProjectVolume(CmVolume({{"zzz", "z", {}}}), TestPod(), Objects(), {}, &out);
  CHECK(s.message() == "configmap references non-existent config key: zzz");
  REQUIRE(ProjectVolume(CmVolume({{"zzz", "z", {}}, {"a.conf", "a", {}}}, true), TestPod(), Objects(), {}, &out).ok());
  CHECK(out.size() == 1);
  CHECK(out.count("a"));
}

TEST_CASE("projected volume merges secret, configMap and downwardAPI sources", "[volumes]") {
  manifests::Volume v;
  v.name = "all";
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kProjected;
  src.default_mode = 0440;
  src.sources.push_back({{}, manifests::SecretProjection{"db", {{"password", "pw", {}}}, {}}, {}});
  src.sources.push_back({manifests::ConfigMapProjection{"app", {{"a.conf", "a", 0444}}, {}}, {}, {}});
  manifests::DownwardApiProjection d;
  d.items.push_back({"name", "metadata.name", "", "", {}, {}});
  src.sources.push_back({{}, {}, d});
  src.sources.push_back({{}, manifests::SecretProjection{"absent", {}, true}, {}});
  v.object = src;
  CHECK(manifests::NeedsTmpfs(*v.object));
  Projection out;
  REQUIRE(ProjectVolume(v, TestPod(), Objects(), {}, &out).ok());
  CHECK(out["pw"] == ProjectedFile{"s3cret", 0440});
  CHECK(out["a"] == ProjectedFile{"alpha", 0444});
  CHECK(out["name"] == ProjectedFile{"web", 0440});
  CHECK(out.size() == 3);
}

TEST_CASE("missing secret key uses kubelet's secret text", "[volumes]") {
  manifests::Volume v;
  v.name = "s";
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kSecret;
  src.sources.push_back({{}, manifests::SecretProjection{"db", {{"token", "t", {}}}, {}}, {}});
  v.object = src;
  Projection out;
  CHECK(ProjectVolume(v, TestPod(), Objects(), {}, &out).message() == "references non-existent secret key: token");
}

TEST_CASE("downwardAPI labels file is sorted key=Go-quoted lines without a trailing newline", "[volumes]") {
  CHECK(FormatDownwardMap({{"b", "two words"}, {"a", "q\"uote\\n\n"}}) == "a=\"q\\\"uote\\\\n\\n\"\nb=\"two words\"");
  CHECK(FormatDownwardMap({}) == "");
  CHECK(GoQuote(std::string("\x01\x7f\xc3\xa9", 4)) == "\"\\x01\\x7f\xc3\xa9\"");
  auto pod = TestPod();
  pod.metadata.labels = {{"tier", "front"}, {"app", "web"}};
  manifests::Volume v;
  v.name = "podinfo";
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kDownwardApi;
  manifests::DownwardApiProjection d;
  d.items.push_back({"labels", "metadata.labels", "", "", {}, {}});
  d.items.push_back({"tier", "metadata.labels['tier']", "", "", std::nullopt, 0400});
  src.sources.push_back({{}, {}, d});
  v.object = src;
  Projection out;
  REQUIRE(ProjectVolume(v, pod, {}, {}, &out).ok());
  CHECK(out["labels"].data == "app=\"web\"\ntier=\"front\"");
  CHECK(out["tier"] == ProjectedFile{"front", 0400});
}

TEST_CASE("downwardAPI resourceFieldRef shares env's formatting with divisor", "[volumes]") {
  auto pod = TestPod();
  pod.spec.containers[0].resources.limits["cpu"] = manifests::Quantity{"1500m", 1500};
  manifests::Volume v;
  v.name = "res";
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kDownwardApi;
  manifests::DownwardApiProjection d;
  manifests::DownwardApiFile f;
  f.path = "cpu";
  f.container_name = pod.spec.containers[0].name;
  f.resource = "limits.cpu";
  f.divisor = manifests::Quantity{"1m", 1};
  d.items.push_back(f);
  src.sources.push_back({{}, {}, d});
  v.object = src;
  Projection out;
  REQUIRE(ProjectVolume(v, pod, {}, {}, &out).ok());
  CHECK(out["cpu"].data == "1500");
}

TEST_CASE("object volume validation names field paths", "[volumes]") {
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kConfigMap;
  src.default_mode = 01000;
  src.sources.push_back({manifests::ConfigMapProjection{"", {{"", "/abs", {}}, {"k", "a/../b", 1000}, {"k2", "..", {}}}, {}}, {}, {}});
  auto errs = manifests::ValidateObjectVolume(src, "spec.volumes[0].configMap");
  std::vector<std::string> got;
  for (const auto& e : errs) got.push_back(e.path + ": " + e.message);
  CHECK(got == std::vector<std::string>{
                   "spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
                   "spec.volumes[0].configMap.name: Required value",
                   "spec.volumes[0].configMap.items[0].key: Required value",
                   "spec.volumes[0].configMap.items[0].path: must be a relative path",
                   "spec.volumes[0].configMap.items[1].path: must not contain '..'",
                   "spec.volumes[0].configMap.items[1].mode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
                   "spec.volumes[0].configMap.items[2].path: must not contain '..'",
               });
}

TEST_CASE("projected validation: duplicate paths, one type per source, downward field paths", "[volumes]") {
  manifests::ObjectVolumeSource src;
  src.kind = Kind::kProjected;
  src.sources.push_back({manifests::ConfigMapProjection{"a", {{"k", "same", {}}}, {}}, manifests::SecretProjection{"s", {}, {}}, {}});
  src.sources.push_back({manifests::ConfigMapProjection{"a", {{"k", "same", {}}}, {}}, {}, {}});
  src.sources.push_back({{}, manifests::SecretProjection{"", {{"k", "same", {}}}, {}}, {}});
  manifests::DownwardApiProjection d;
  d.items.push_back({"ip", "status.podIP", "", "", {}, {}});
  src.sources.push_back({{}, {}, d});
  auto errs = manifests::ValidateObjectVolume(src, "spec.volumes[2].projected");
  std::vector<std::string> got;
  for (const auto& e : errs) got.push_back(e.path + ": " + e.message);
  REQUIRE(got.size() == 4);
  CHECK(got[0] == "spec.volumes[2].projected.sources[0]: may not specify more than 1 volume type per source");
  CHECK(got[1] == "spec.volumes[2].projected.sources[2].secret.name: Required value");
  CHECK(got[2] == "spec.volumes[2].projected.sources: Invalid value: \"same\": conflicting duplicate paths");
  CHECK(got[3].rfind("spec.volumes[2].projected.sources[3].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: \"status.podIP\"", 0) == 0);
}

TEST_CASE("PinImmutable keeps the first copy of an immutable object the pod uses until it goes away", "[volumes]") {
  PinnedObjects pins;
  std::vector<std::string> ignored;
  manifests::LocalObjects now = Objects();
  now.config_maps[0].immutable = true;
  manifests::ConfigMap other = now.config_maps[0];
  other.name = "unused";
  now.config_maps.push_back(other);
  const std::vector<std::string> refs = {"configmap/app", "secret/db"};

  auto seen = PinImmutable(now, "test", refs, &pins, &ignored);
  CHECK(seen == now);
  CHECK(pins.config_maps.count("configmap/app") == 1);
  CHECK(pins.config_maps.count("configmap/unused") == 0);  // not the pod's
  CHECK(pins.secrets.empty());                              // db is mutable
  CHECK(ignored.empty());

  // The file is edited: the pod still sees the first copy, and the edit is reported.
  manifests::LocalObjects edited = now;
  edited.config_maps[0].data["a.conf"] = "changed";
  edited.secrets[0].data["password"] = "rotated";
  seen = PinImmutable(edited, "test", refs, &pins, &ignored);
  CHECK(seen.config_maps[0].data.at("a.conf") == "alpha");
  CHECK(seen.secrets[0].data.at("password") == "rotated");  // mutable objects pass through
  CHECK(ignored == std::vector<std::string>{"configmap/app"});

  // Gone from the source: the pin goes too, so a new copy is read if it comes back.
  manifests::LocalObjects gone = edited;
  gone.config_maps.erase(gone.config_maps.begin());
  ignored.clear();
  seen = PinImmutable(gone, "test", refs, &pins, &ignored);
  CHECK(pins.config_maps.empty());
  seen = PinImmutable(edited, "test", refs, &pins, &ignored);
  CHECK(seen.config_maps[0].data.at("a.conf") == "changed");
  CHECK(ignored.empty());
}
