// PodSyncer with configMap and downwardAPI volumes on the fake runtime: written before the start, rewritten while
// the pod runs, never for immutable objects, kept when the object goes away.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/pod_syncer.h"
#include "syncer_harness.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakePod;

namespace {

using Harness = crilet::testing::SyncerHarness;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return in ? ss.str() : "<missing>";
}

manifests::ConfigMap AppConfig(const std::string& greeting, bool immutable = false) {
  manifests::ConfigMap cm;
  cm.name = "app";
  cm.data["greeting"] = greeting;
  cm.immutable = immutable;
  return cm;
}

// web-node1 with volume "cfg" (configMap app) mounted at /etc/app, and "info" (downwardAPI labels) at /etc/info.
manifests::Pod PodWithVolumes() {
  auto pod = MakePod({"app"});
  pod.metadata.labels["tier"] = "web";
  manifests::Volume cfg;
  cfg.name = "cfg";
  cfg.object = manifests::ObjectVolumeSource{};
  cfg.object->kind = manifests::ObjectVolumeSource::Kind::kConfigMap;
  cfg.object->sources.push_back(manifests::VolumeProjection{manifests::ConfigMapProjection{"app", {}, std::nullopt},
                                                            std::nullopt, std::nullopt});
  manifests::Volume info;
  info.name = "info";
  info.object = manifests::ObjectVolumeSource{};
  info.object->kind = manifests::ObjectVolumeSource::Kind::kDownwardApi;
  manifests::DownwardApiProjection d;
  d.items.push_back(manifests::DownwardApiFile{"labels", "metadata.labels", "", "", std::nullopt, std::nullopt});
  info.object->sources.push_back(manifests::VolumeProjection{std::nullopt, std::nullopt, d});
  pod.spec.volumes = {cfg, info};
  for (const auto& [name, path] : {std::pair{"cfg", "/etc/app"}, std::pair{"info", "/etc/info"}}) {
    manifests::VolumeMount m;
    m.name = name;
    m.mount_path = path;
    pod.spec.containers[0].volume_mounts.push_back(m);
  }
  return pod;
}

struct VolumeHarness : Harness {
  manifests::LocalObjects objects;
  VolumeHarness() {
    env.objects = [this] { return objects; };
  }
  std::string VolumeFile(const manifests::Pod& pod, const std::string& plugin, const std::string& name) {
    return env.options.root_dir + "/pods/" + pod.metadata.uid + "/volumes/kubernetes.io~" + plugin + "/" + name;
  }
};

}  // namespace

TEST_CASE("a configMap volume follows its object while the pod runs, without a restart", "[syncer][volumes]") {
  VolumeHarness h;
  h.objects.config_maps = {AppConfig("hello")};
  auto pod = PodWithVolumes();
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  std::string id = h.runtime.ContainerIdByName("app");
  REQUIRE_FALSE(id.empty());
  std::string file = h.VolumeFile(pod, "configmap", "cfg/greeting");
  CHECK(ReadAll(file) == "hello");
  CHECK(std::filesystem::is_symlink(h.VolumeFile(pod, "configmap", "cfg/..data")));
  // Always read-only, as kubelet mounts these volumes, though the volumeMount did not ask.
  const auto* config = h.runtime.LastConfig("app");
  REQUIRE(config);
  int read_only = 0;
  for (const auto& m : config->mounts) {
    if (m.container_path == "/etc/app" || m.container_path == "/etc/info") read_only += m.readonly;
  }
  CHECK(read_only == 2);

  h.clock.Advance(std::chrono::seconds(3));
  h.objects.config_maps = {AppConfig("bye")};
  s.Sync(nullptr);
  CHECK(ReadAll(file) == "bye");
  CHECK(h.runtime.ContainerIdByName("app") == id);
  // Only one version directory is left after the swap.
  int versions = 0;
  for (const auto& e : std::filesystem::directory_iterator(h.VolumeFile(pod, "configmap", "cfg"))) {
    std::string n = e.path().filename().string();
    if (n.rfind("..", 0) == 0 && n != "..data" && std::filesystem::is_directory(e.symlink_status())) ++versions;
  }
  CHECK(versions == 1);
  REQUIRE(s.Terminate(nullptr).ok());
}

TEST_CASE("an immutable ConfigMap is never re-read by a running pod's volume", "[syncer][volumes]") {
  VolumeHarness h;
  h.objects.config_maps = {AppConfig("hello", true)};
  auto pod = PodWithVolumes();
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  std::string file = h.VolumeFile(pod, "configmap", "cfg/greeting");
  REQUIRE(ReadAll(file) == "hello");
  h.objects.config_maps = {AppConfig("edited", true)};
  h.clock.Advance(std::chrono::seconds(3));
  s.Sync(nullptr);
  CHECK(ReadAll(file) == "hello");
  REQUIRE(s.Terminate(nullptr).ok());
}

TEST_CASE("a missing ConfigMap holds the start with FailedMount; once written, losing it keeps the files", "[syncer][volumes]") {
  VolumeHarness h;
  auto pod = PodWithVolumes();
  PodSyncer s(&h.env, &h.store, pod);
  auto requeue = s.Sync(nullptr);
  CHECK(requeue.has_value());
  CHECK(h.runtime.ContainerIdByName("app").empty());
  CHECK(h.HasEvent(pod, "FailedMount", "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found"));

  h.objects.config_maps = {AppConfig("hello")};
  s.Sync(nullptr);
  std::string id = h.runtime.ContainerIdByName("app");
  REQUIRE_FALSE(id.empty());

  // The object goes away: the pod runs on with the old files, and a crashed container restarts with them.
  h.objects.config_maps.clear();
  h.clock.Advance(std::chrono::seconds(3));
  requeue = s.Sync(nullptr);
  CHECK(requeue.has_value());
  CHECK(ReadAll(h.VolumeFile(pod, "configmap", "cfg/greeting")) == "hello");
  h.runtime.ExitContainer(id, 1);
  s.Sync(nullptr);
  CHECK(h.runtime.ContainerIdByName("app") != id);
  REQUIRE(s.Terminate(nullptr).ok());
}

TEST_CASE("a downwardAPI labels file follows the pod's labels", "[syncer][volumes]") {
  VolumeHarness h;
  h.objects.config_maps = {AppConfig("hello")};
  auto pod = PodWithVolumes();
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  std::string file = h.VolumeFile(pod, "downward-api", "info/labels");
  CHECK(ReadAll(file) == "tier=\"web\"");
  std::string id = h.runtime.ContainerIdByName("app");

  pod.metadata.labels["tier"] = "db";
  pod.metadata.labels["zone"] = "a\"b";
  s.SetPod(pod);
  h.clock.Advance(std::chrono::seconds(1));
  s.Sync(nullptr);
  CHECK(ReadAll(file) == "tier=\"db\"\nzone=\"a\\\"b\"");
  CHECK(h.runtime.ContainerIdByName("app") == id);
  REQUIRE(s.Terminate(nullptr).ok());
}
