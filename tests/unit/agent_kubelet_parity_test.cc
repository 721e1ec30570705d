// Kubelet parity for security context, QoS/OOM, seccomp, fsGroup and refused specs (issue 16).
#include <catch2/catch.hpp>

#include <regex>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/container_config.h"
#include "agent/pod_files.h"
#include "agent/pod_syncer.h"
#include "agent/qos_policy.h"
#include "agent/sandbox_config.h"
#include "agent/status_gen.h"
#include "agent/volume_ownership.h"
#include "cli/describe_command.h"
#include "common/oom_score.h"
#include "cri/fake_runtime.h"
#include "manifests/defaults.h"
#include "manifests/loader.h"
#include "server/pod_json.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;

namespace {

manifests::Quantity Q(const char* text, int64_t milli) { return manifests::Quantity{text, milli}; }
manifests::Quantity Bytes(int64_t b) { return manifests::Quantity{std::to_string(b), b * 1000}; }

void Limits(manifests::Container* c, int64_t cpu_milli, int64_t mem_bytes) {
  c->resources.limits["cpu"] = Q("cpu", cpu_milli);
  c->resources.limits["memory"] = Bytes(mem_bytes);
}

std::string Where(const manifests::Pod& pod, const std::string& c) {
  return "(pod: \"web-node1_default(" + pod.metadata.uid + ")\", container: " + c + ")";
}

manifests::LoadResult LoadYaml(const std::string& yaml) {
  manifests::LoadOptions o;
  o.node_name = "node1";
  o.source = manifests::PodSource{"file", "/etc/kubernetes/manifests/pod.yaml", 0};
  o.display_name = "pod.yaml";
  return manifests::LoadManifest(yaml, o);
}

std::vector<std::string> ErrorTexts(const manifests::LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

const std::string kHead = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n";

struct TempDir {
  std::string path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("crilet-parity-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct stat Stat(const std::string& p) {
  struct stat st {};
  ::lstat(p.c_str(), &st);
  return st;
}

}  // namespace

TEST_CASE("verifyRunAsNonRoot: the image's user decides when runAsUser is unset", "[security][runasnonroot]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  pod.spec.security_context = manifests::PodSecurityContext{};
  pod.spec.security_context->run_as_non_root = true;
  std::optional<int64_t> root = 0;

  SECTION("image runs as root") {
    Status s = VerifyRunAsNonRoot(pod, c, root, "");
    CHECK(s.message() == "container has runAsNonRoot and image will run as root " + Where(pod, "app"));
  }
  SECTION("image has a user name") {
    Status s = VerifyRunAsNonRoot(pod, c, std::nullopt, "nginx");
    CHECK(s.message() == "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root " +
                             Where(pod, "app"));
  }
  SECTION("image runs as a numeric non-root user") { CHECK(VerifyRunAsNonRoot(pod, c, 1000, "").ok()); }
  SECTION("runAsUser 0 breaks the policy whatever the image") {
    pod.spec.security_context->run_as_user = 0;
    Status s = VerifyRunAsNonRoot(pod, c, 1000, "");
    CHECK(s.message() == "container's runAsUser breaks non-root policy " + Where(pod, "app"));
  }
  SECTION("a container's runAsUser replaces the pod's, so a root image is fine") {
    c.security_context = manifests::SecurityContext{};
    c.security_context->run_as_user = 1000;
    CHECK(VerifyRunAsNonRoot(pod, c, root, "").ok());
  }
  SECTION("a container's runAsNonRoot false replaces the pod's true") {
    c.security_context = manifests::SecurityContext{};
    c.security_context->run_as_non_root = false;
    CHECK(VerifyRunAsNonRoot(pod, c, root, "").ok());
  }
  SECTION("the pod's runAsUser 0 is inherited by a container asking runAsNonRoot") {
    pod.spec.security_context = manifests::PodSecurityContext{};
    pod.spec.security_context->run_as_user = 0;
    c.security_context = manifests::SecurityContext{};
    c.security_context->run_as_non_root = true;
    CHECK(VerifyRunAsNonRoot(pod, c, 1000, "").message() == "container's runAsUser breaks non-root policy " + Where(pod, "app"));
  }
  SECTION("without runAsNonRoot nothing is checked") {
    pod.spec.security_context->run_as_non_root.reset();
    CHECK(VerifyRunAsNonRoot(pod, c, root, "").ok());
  }
}

TEST_CASE("getImageUser: uid, else user name, else root", "[security][runasnonroot]") {
  std::optional<int64_t> uid;
  std::string name;
  cri::Image img;
  ImageUser(img, &uid, &name);
  CHECK(uid == 0);
  CHECK(name.empty());
  img.uid = 65535;
  ImageUser(img, &uid, &name);
  CHECK(uid == 65535);
  img.uid.reset();
  img.username = "www-data";
  ImageUser(img, &uid, &name);
  CHECK_FALSE(uid.has_value());
  CHECK(name == "www-data");
  ImageUser(std::nullopt, &uid, &name);
  CHECK(uid == 0);
}

TEST_CASE("a root image with runAsNonRoot never starts: CreateContainerConfigError", "[security][runasnonroot][syncer]") {
  FakeClock clock;
  cri::FakeRuntime runtime{&clock};
  EventRecorder events{&clock};
  StatusStore store{&events};
  RuntimeStateReader reader{&runtime};
  HookRunner hooks{&runtime, nullptr};
  Services env;
  TempDir dir;
  env.runtime = &runtime;
  env.clock = &clock;
  env.events = &events;
  env.reader = &reader;
  env.hooks = &hooks;
  env.options.root_dir = dir.path + "/root";
  env.options.pod_logs_dir = dir.path + "/logs";
  env.node_memory_bytes = 8LL << 30;
  runtime.AddImage("busybox:1.36");
  runtime.AddImage("nonroot:1");
  runtime.SetImageUser("nonroot:1", 65532, "");
  runtime.AddImage("named:1");
  runtime.SetImageUser("named:1", std::nullopt, "nginx");

  auto pod = MakePod({"root", "numeric", "named"});
  pod.spec.containers[1].image = "nonroot:1";
  pod.spec.containers[2].image = "named:1";
  pod.spec.security_context = manifests::PodSecurityContext{};
  pod.spec.security_context->run_as_non_root = true;
  PodSyncer s(&env, &store, pod);
  s.Sync(nullptr);
  PodStatus st = *store.Status(pod.metadata.uid);
  REQUIRE(st.container_statuses.size() == 3);
  REQUIRE(st.container_statuses[0].state.waiting.has_value());
  CHECK(st.container_statuses[0].state.waiting->reason == "CreateContainerConfigError");
  CHECK(st.container_statuses[0].state.waiting->message ==
        "container has runAsNonRoot and image will run as root " + Where(pod, "root"));
  CHECK(st.container_statuses[1].state.running.has_value());
  REQUIRE(st.container_statuses[2].state.waiting.has_value());
  CHECK(st.container_statuses[2].state.waiting->reason == "CreateContainerConfigError");
  CHECK(st.container_statuses[2].state.waiting->message.find("image has non-numeric user (nginx)") != std::string::npos);
  CHECK(runtime.ContainerIdByName("root").empty());  // never created
  CHECK(runtime.ContainerIdByName("named").empty());
}

TEST_CASE("GetPodQOS: requests and limits summed over all containers, init containers included", "[qos]") {
  auto pod = MakePod({"a", "b"});
  SECTION("nothing set: BestEffort") { CHECK(PodQosClass(pod) == "BestEffort"); }
  SECTION("zero quantities and non-QoS resources count as unset") {
    pod.spec.containers[0].resources.requests["cpu"] = Q("0", 0);
    pod.spec.containers[0].resources.limits["ephemeral-storage"] = Bytes(1 << 20);
    CHECK(PodQosClass(pod) == "BestEffort");
  }
  SECTION("cpu and memory limits on every container: Guaranteed") {
    Limits(&pod.spec.containers[0], 100, 1 << 28);
    Limits(&pod.spec.containers[1], 200, 1 << 29);
    CHECK(PodQosClass(pod) == "Guaranteed");
    SECTION("an init container without limits makes it Burstable") {
      pod.spec.init_containers.push_back(MakeContainer("init"));
      pod.spec.init_containers[0].resources.requests["cpu"] = Q("10m", 10);
      CHECK(PodQosClass(pod) == "Burstable");
    }
    SECTION("a request below its limit makes it Burstable") {
      pod.spec.containers[1].resources.requests["memory"] = Bytes(1 << 20);
      CHECK(PodQosClass(pod) == "Burstable");
    }
  }
  SECTION("one container with limits, one with none: Burstable") {
    Limits(&pod.spec.containers[0], 100, 1 << 28);
    CHECK(PodQosClass(pod) == "Burstable");
  }
  SECTION("only a cpu limit: Burstable") {
    pod.spec.containers[0].resources.limits["cpu"] = Q("1", 1000);
    pod.spec.containers[1].resources.limits["cpu"] = Q("1", 1000);
    CHECK(PodQosClass(pod) == "Burstable");
  }
}

TEST_CASE("GetContainerOOMScoreAdjust: node-critical, QoS and the Burstable formula", "[qos][oom]") {
  const int64_t capacity = 8000000000;  // kubelet's policy_test standardMemoryAmount
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  SECTION("BestEffort 1000") { CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 1000); }
  SECTION("system-node-critical is -997 whatever its QoS") {
    pod.spec.priority_class_name = "system-node-critical";
    CHECK(IsNodeCriticalPod(pod));
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == -997);
  }
  SECTION("a node-critical priority without the class name is not node-critical") {
    pod.spec.priority = 2000001000;
    CHECK_FALSE(IsNodeCriticalPod(pod));
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 1000);
    pod.spec.priority_class_name = "system-cluster-critical";
    CHECK_FALSE(IsNodeCriticalPod(pod));
  }
  SECTION("Guaranteed -997") {
    Limits(&c, 100, 1 << 30);
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == -997);
  }
  SECTION("Burstable: 1000 - 1000*request/capacity") {
    c.resources.requests["memory"] = Bytes(capacity / 2);
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 500);
  }
  SECTION("Burstable with a tiny request stays below BestEffort: 999") {
    c.resources.requests["cpu"] = Q("10m", 10);
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 999);
  }
  SECTION("Burstable with a request above capacity stays above Guaranteed: 3") {
    c.resources.requests["memory"] = Bytes(capacity * 2);
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 3);
  }
  SECTION("a sidecar scores just above the smallest regular container") {
    c.resources.requests["memory"] = Bytes(1LL << 30);  // 1Gi: 1000 - 134 = 866
    auto sidecar = MakeContainer("proxy");
    sidecar.restart_policy = "Always";
    sidecar.resources.requests["memory"] = Bytes(512LL << 20);  // min(512Mi, 1Gi) = 512Mi: 1000 - 67 + 1
    pod.spec.init_containers.push_back(sidecar);
    CHECK(ContainerOomScoreAdjust(pod, c, capacity) == 866);
    CHECK(ContainerOomScoreAdjust(pod, pod.spec.init_containers[0], capacity) == 934);
    pod.spec.init_containers[0].resources.requests["memory"] = Bytes(2LL << 30);  // min is the regular 1Gi, +1
    CHECK(ContainerOomScoreAdjust(pod, pod.spec.init_containers[0], capacity) == 867);
  }
  SECTION("the CRI config carries it") {
    pod.spec.priority_class_name = "system-node-critical";
    cri::ContainerConfig cfg;
    REQUIRE(BuildContainerConfig(pod, c, ContainerContext{}, &cfg).ok());
    CHECK(cfg.resources.oom_score_adj == -997);
  }
}

TEST_CASE("priority admission: the system classes give the pod its priority", "[qos][priority][manifests]") {
  auto load = [](const std::string& extra) {
    auto r = LoadYaml(kHead + extra + "  containers:\n  - {name: a, image: b}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.pods.size() == 1);
    return r.pods[0].spec.priority;
  };
  CHECK(load("  priorityClassName: system-node-critical\n") == 2000001000);
  CHECK(load("  priorityClassName: system-cluster-critical\n") == 2000000000);
  CHECK(load("  priorityClassName: system-node-critical\n  priority: 7\n") == 7);
  CHECK_FALSE(load("  priorityClassName: batch-low\n").has_value());
  CHECK_FALSE(load("").has_value());
}

TEST_CASE("priority admission: a priority from a system class stays out of the static pod's UID",
          "[qos][priority][manifests]") {
  // kubelet hashes the file's pod; the class's priority is the API server's admission on the mirror pod. So a
  // kubeadm manifest keeps the UID it had before crilet set priorities, while a priority written in the
  // file is part of the pod as any field is.
  auto uid = [](const std::string& extra) {
    auto r = LoadYaml(kHead + "  priorityClassName: system-node-critical\n" + extra +
                      "  containers:\n  - {name: a, image: b}\n");
    REQUIRE(r.pods.size() == 1);
    CHECK(r.pods[0].spec.priority == 2000001000);
    return r.pods[0].metadata.uid;
  };
  CHECK(uid("") != uid("  priority: 2000001000\n"));
  CHECK(uid("") == uid(""));
}

TEST_CASE("status.qosClass in /pods JSON and describe, with the priority class", "[qos][status]") {
  auto pod = MakePod({"app"});
  pod.spec.priority_class_name = "system-node-critical";
  pod.spec.priority = 2000001000;
  Limits(&pod.spec.containers[0], 100, 1 << 28);
  ObservedPod observed;
  StatusInput in;
  in.pod = &pod;
  in.observed = &observed;
  PodRecord record{pod, GeneratePodStatus(in), {}, {}, {}};
  CHECK(record.status.qos_class == "Guaranteed");
  auto j = server::PodToJson(record);
  CHECK(j["status"]["qosClass"] == "Guaranteed");
  std::string text = cli::DescribePod(j, std::chrono::system_clock::now());
  // Padded as kubectl's tabwriter pads the block: the widest label (Priority Class Name:) plus two spaces.
  CHECK(text.find("\nPriority:             2000001000\n") != std::string::npos);
  CHECK(text.find("\nPriority Class Name:  system-node-critical\n") != std::string::npos);
  CHECK(std::regex_search(text, std::regex("\nQoS Class: +Guaranteed\n")));
  // A pod with no generated status yet still reports its class.
  record.status = PodStatus{};
  CHECK(server::PodToJson(record)["status"]["qosClass"] == "Guaranteed");
}

TEST_CASE("localhostProfile resolves under <root-dir>/seccomp as an absolute path", "[security][seccomp]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  pod.spec.security_context = manifests::PodSecurityContext{};
  pod.spec.security_context->seccomp_profile = manifests::SeccompProfile{"Localhost", "profiles/pod.json"};
  AgentOptions options;
  options.root_dir = "/var/lib/crilet";
  CHECK(SeccompRoot(options) == "/var/lib/crilet/seccomp");
  ContainerContext ctx;
  ctx.seccomp_root = SeccompRoot(options);
  cri::ContainerConfig cfg;

  REQUIRE(BuildContainerConfig(pod, c, ctx, &cfg).ok());
  REQUIRE(cfg.security.seccomp.has_value());
  CHECK(cfg.security.seccomp->type == cri::SeccompProfile::Type::kLocalhost);
  CHECK(cfg.security.seccomp->localhost_ref == "/var/lib/crilet/seccomp/profiles/pod.json");  // inherited

  c.security_context = manifests::SecurityContext{};
  c.security_context->seccomp_profile = manifests::SeccompProfile{"Localhost", "./audit.json"};
  REQUIRE(BuildContainerConfig(pod, c, ctx, &cfg).ok());
  CHECK(cfg.security.seccomp->localhost_ref == "/var/lib/crilet/seccomp/audit.json");  // the container's wins
  c.security_context->seccomp_profile = manifests::SeccompProfile{"RuntimeDefault", ""};
  REQUIRE(BuildContainerConfig(pod, c, ctx, &cfg).ok());
  CHECK(cfg.security.seccomp->type == cri::SeccompProfile::Type::kRuntimeDefault);

  auto sandbox = BuildSandboxConfig(pod, 0, options, cri::DnsConfig{});
  REQUIRE(sandbox.seccomp.has_value());
  CHECK(sandbox.seccomp->localhost_ref == "/var/lib/crilet/seccomp/profiles/pod.json");

  auto none = MakePod({"app"});
  REQUIRE(BuildContainerConfig(none, none.spec.containers[0], ctx, &cfg).ok());
  CHECK_FALSE(cfg.security.seccomp.has_value());
}

TEST_CASE("localhostProfile must be a relative path without ..", "[security][seccomp][validation]") {
  auto errors = [](const std::string& profile) {
    return ErrorTexts(LoadYaml(kHead + "  securityContext:\n    seccompProfile: {type: Localhost, localhostProfile: '" +
                               profile + "'}\n  containers:\n  - {name: a, image: b}\n"));
  };
  CHECK(errors("profiles/ok.json").empty());
  CHECK(errors("/etc/x.json") == std::vector<std::string>{
                                      "pod.yaml:7: spec.securityContext.seccompProfile.localhostProfile: must be a "
                                      "relative path (under <root-dir>/seccomp)"});
  CHECK(errors("a/../../x.json") == std::vector<std::string>{
                                        "pod.yaml:7: spec.securityContext.seccompProfile.localhostProfile: must not "
                                        "contain '..'"});
  CHECK(errors("a..b/x.json").empty());
}

TEST_CASE("fsGroup: group first among supplemental groups, as kubelet orders them", "[security][fsgroup]") {
  auto pod = MakePod({"app"});
  pod.spec.security_context = manifests::PodSecurityContext{};
  pod.spec.security_context->fs_group = 2000;
  pod.spec.security_context->supplemental_groups = {3000, 4000};
  cri::ContainerConfig cfg;
  REQUIRE(BuildContainerConfig(pod, pod.spec.containers[0], ContainerContext{}, &cfg).ok());
  CHECK(cfg.security.supplemental_groups == std::vector<int64_t>{2000, 3000, 4000});
  auto sandbox = BuildSandboxConfig(pod, 0, AgentOptions{}, cri::DnsConfig{});
  CHECK(sandbox.supplemental_groups == std::vector<int64_t>{2000, 3000, 4000});
}

TEST_CASE("fsGroupChangePolicy OnRootMismatch: kubelet's requiresPermissionChange", "[security][fsgroup]") {
  CHECK_FALSE(RequiresPermissionChange(true, 2000, 02770, 2000, false));
  CHECK_FALSE(RequiresPermissionChange(true, 2000, 02777, 2000, false));  // a superset is enough
  CHECK(RequiresPermissionChange(true, 0, 02777, 2000, false));            // wrong group
  CHECK(RequiresPermissionChange(true, 2000, 0777, 2000, false));          // no setgid
  CHECK(RequiresPermissionChange(true, 2000, 02750, 2000, false));         // group cannot write
  CHECK_FALSE(RequiresPermissionChange(true, 2000, 02550, 2000, true));    // read-only needs r-x only
  CHECK(RequiresPermissionChange(false, 2000, 0660, 2000, false));         // not a directory
  CHECK(OwnershipMode(0755, true, false) == 02775);
  CHECK(OwnershipMode(0600, false, false) == 0660);
  CHECK(OwnershipMode(0600, false, true) == 0640);
}

TEST_CASE("SetVolumeOwnership walks the volume, OnRootMismatch skips a matching root", "[security][fsgroup]") {
  if (::geteuid() != 0) {
    WARN("skipped: chown to another group needs root");
    return;
  }
  TempDir dir;
  std::string v = dir.path + "/vol";
  std::filesystem::create_directories(v + "/sub");
  std::ofstream(v + "/sub/file") << "x";
  ::chmod((v + "/sub/file").c_str(), 0600);
  REQUIRE(SetVolumeOwnership(v, 2000, "Always", false).ok());
  for (const auto& p : {v, v + "/sub", v + "/sub/file"}) {
    INFO(p);
    CHECK(Stat(p).st_gid == 2000u);
  }
  CHECK((Stat(v).st_mode & 07777) == (0755 | 02070));
  CHECK((Stat(v + "/sub/file").st_mode & 07777) == 0660);

  // The root matches now: with OnRootMismatch a file of another group is left alone, with Always it is not.
  ::chown((v + "/sub/file").c_str(), static_cast<uid_t>(-1), 0);
  REQUIRE(SetVolumeOwnership(v, 2000, "OnRootMismatch", false).ok());
  CHECK(Stat(v + "/sub/file").st_gid == 0u);
  REQUIRE(SetVolumeOwnership(v, 2000, "", false).ok());
  CHECK(Stat(v + "/sub/file").st_gid == 2000u);
}

TEST_CASE("an emptyDir gets fsGroup ownership and setgid when it is set up", "[security][fsgroup][volumes]") {
  if (::geteuid() != 0) {
    WARN("skipped: chown to another group needs root");
    return;
  }
  TempDir dir;
  auto pod = MakePod({"app"});
  manifests::Volume v;
  v.name = "data";
  v.empty_dir = manifests::EmptyDirVolumeSource{};
  pod.spec.volumes = {v};
  pod.spec.security_context = manifests::PodSecurityContext{};
  pod.spec.security_context->fs_group = 2000;
  PodFiles files(dir.path, pod.metadata.uid);
  std::map<std::string, std::string> paths;
  REQUIRE(files.PrepareVolumes(pod, &paths).ok());
  struct stat st = Stat(paths["data"]);
  CHECK(st.st_gid == 2000u);
  CHECK((st.st_mode & 07777) == 02777);
  // Set up once, as kubelet's ready marker: a later prepare leaves what the pod changed.
  ::chown(paths["data"].c_str(), static_cast<uid_t>(-1), 0);
  REQUIRE(files.PrepareVolumes(pod, &paths).ok());
  CHECK(Stat(paths["data"]).st_gid == 0u);
}

TEST_CASE("specs crilet cannot honour are refused, never run half-done", "[validation][manifests]") {
  const std::string c = "  containers:\n  - name: a\n    image: b\n";
  struct Row {
    std::string yaml;
    std::string error;
  };
  std::vector<Row> rows = {
      {kHead + c + "    env:\n    - name: X\n      valueFrom:\n        fileKeyRef: {path: a.env, key: X, volumeName: v}\n",
       "pod.yaml:12: spec.containers[0].env[0].valueFrom.fileKeyRef: fileKeyRef is not supported by crilet; use value, "
       "fieldRef or resourceFieldRef"},
      {kHead + c + "    env:\n    - name: X\n      valueFrom:\n        somethingNew: {}\n",
       "pod.yaml:12: spec.containers[0].env[0].valueFrom.somethingNew: somethingNew is not supported by crilet; use "
       "value, fieldRef or resourceFieldRef"},
      {kHead + "  hostUsers: false\n" + c,
       "pod.yaml:6: spec.hostUsers: false needs a user namespace, which crilet cannot give: containerd 1.6's CRI has "
       "no user namespace support; remove hostUsers or set it to true"},
      {kHead + "  securityContext: {fsGroup: 2000, fsGroupChangePolicy: Sometimes}\n" + c,
       "pod.yaml:6: spec.securityContext.fsGroupChangePolicy: must be Always or OnRootMismatch"},
  };
  for (const auto& r : rows) {
    INFO(r.yaml);
    auto result = LoadYaml(r.yaml);
    CHECK(result.pods.empty());
    CHECK(ErrorTexts(result) == std::vector<std::string>{r.error});
  }
  auto ok = LoadYaml(kHead + "  hostUsers: true\n  securityContext: {fsGroup: 2000, fsGroupChangePolicy: OnRootMismatch}\n" + c);
  CHECK(ok.errors.empty());
  REQUIRE(ok.pods.size() == 1);
  CHECK(ok.pods[0].spec.security_context->fs_group_change_policy == "OnRootMismatch");
  CHECK(ok.warnings.empty());
}

TEST_CASE("ApplyOomScoreAdj writes the value and says why the kernel refused", "[oom]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path + "/42");
  std::ofstream(dir.path + "/42/oom_score_adj") << "0";
  REQUIRE(ApplyOomScoreAdj(42, -999, dir.path).ok());
  std::ifstream in(dir.path + "/42/oom_score_adj");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "-999");
  CHECK(ApplyOomScoreAdj(42, -1001, dir.path).message() == "oom_score_adj -1001 is outside -1000..1000");
  CHECK(ApplyOomScoreAdj(7, 0, dir.path).message() == "open " + dir.path + "/7/oom_score_adj: No such file or directory");
}
