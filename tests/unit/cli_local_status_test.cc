// The CLI without the status server: pod records from the runtime and checkpoints, the instance the labels name,
// and LocalStatusSource's answers over a manifest directory and a fake runtime.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "agent/labels.h"
#include "agent/plan.h"
#include "cli/local_pod_record.h"
#include "cli/local_status.h"
#include "cli/status_client.h"
#include "cri/fake_runtime.h"
#include "manifests/pod_config.h"
#include "test_pods.h"

using namespace crilet;
using crilet::testing::Instance;
using crilet::testing::MakePod;

namespace {

TimePoint At(int64_t seconds) { return FromUnixNanos(1'700'000'000'000'000'000 + seconds * 1'000'000'000); }
int64_t Nanos(int64_t seconds) { return ToUnixNanos(At(seconds)); }

const agent::ContainerStatus& Only(const agent::PodRecord& r) {
  REQUIRE(r.status.container_statuses.size() == 1);
  return r.status.container_statuses[0];
}

}  // namespace

TEST_CASE("local record: the checkpoint's crash backoff gives CrashLoopBackOff, as the agent would show", "[cli][local]") {
  manifests::Pod pod = MakePod();
  agent::ObservedPod obs;
  obs.uid = pod.metadata.uid;
  obs.sandboxes.push_back(crilet::testing::ReadySandbox());
  obs.containers.push_back(Instance(pod, "app", cri::ContainerState::kExited, 3, Nanos(100), "", 2));
  agent::PodCheckpoint cp;
  cp.start_time = At(0);
  cp.crash_backoff[agent::CrashBackoffKey(pod, pod.spec.containers[0])] = {std::chrono::seconds(20), At(100)};
  cli::LocalPodInput in;
  in.pod = &pod;
  in.observed = &obs;
  in.checkpoint = &cp;
  in.now = At(105);  // 5 s into a 20 s backoff
  agent::PodRecord r = cli::LocalPodRecord(in);
  REQUIRE(Only(r).state.waiting);
  CHECK(Only(r).state.waiting->reason == "CrashLoopBackOff");
  CHECK(Only(r).last_state.terminated);
  CHECK(Only(r).last_state.terminated->exit_code == 3);
  CHECK(r.status.start_time == At(0));
  CHECK(r.pod.metadata.annotations.at("kubernetes.io/config.seen") == manifests::SeenTime(At(0)));

  // Once the backoff is over the agent restarts it; until then the last exit shows, not a backoff.
  in.now = At(125);
  r = cli::LocalPodRecord(in);
  CHECK(!(Only(r).state.waiting && Only(r).state.waiting->reason == "CrashLoopBackOff"));
}

TEST_CASE("local record: readiness and the Ready condition's transition time come from the checkpoint", "[cli][local]") {
  manifests::Pod pod = MakePod();
  pod.spec.containers[0].readiness_probe.emplace();
  agent::ObservedPod obs;
  obs.uid = pod.metadata.uid;
  obs.sandboxes.push_back(crilet::testing::ReadySandbox());
  obs.containers.push_back(Instance(pod, "app", cri::ContainerState::kRunning));
  agent::PodCheckpoint cp;
  cp.start_time = At(0);
  cp.probe_results["id-app-0"].readiness = probes::Result::kSuccess;
  cp.conditions["Ready"] = {"True", At(7)};
  cli::LocalPodInput in;
  in.pod = &pod;
  in.observed = &obs;
  in.checkpoint = &cp;
  in.now = At(60);
  agent::PodRecord r = cli::LocalPodRecord(in);
  CHECK(Only(r).ready);
  CHECK(r.status.phase == "Running");
  bool found = false;
  for (const auto& c : r.status.conditions) {
    if (c.type != "Ready") continue;
    found = true;
    CHECK(c.status == "True");
    CHECK(c.last_transition_time == At(7));
  }
  CHECK(found);

  // Without the checkpoint (a pod the agent never probed yet), a readiness probe means not ready.
  in.checkpoint = nullptr;
  CHECK_FALSE(Only(cli::LocalPodRecord(in)).ready);
}

TEST_CASE("local record: a departing pod keeps its identity and the containers the runtime ran", "[cli][local]") {
  cri::Sandbox sb;
  sb.metadata = {"web-node1", "uid-1", "default", 0};
  sb.labels = {{"app", "web"}, {agent::kPodUidLabel, "uid-1"}, {agent::kInstanceLabel, "/var/lib/crilet"}};
  agent::ObservedPod obs;
  obs.uid = "uid-1";
  agent::ObservedContainer a, b, old_a;
  a.name = "a";
  a.image = "busybox:1.36";
  b.name = "b";
  old_a.name = "a";
  obs.containers = {b, a, old_a};  // newest first: b was started after a
  manifests::Pod pod = cli::DepartingPod(sb, obs, "node1");
  CHECK(pod.metadata.name == "web-node1");
  CHECK(pod.metadata.uid == "uid-1");
  CHECK(pod.metadata.labels == std::map<std::string, std::string>{{"app", "web"}});
  CHECK(pod.spec.node_name == "node1");
  REQUIRE(pod.spec.containers.size() == 2);
  CHECK(pod.spec.containers[0].name == "a");
  CHECK(pod.spec.containers[0].image == "busybox:1.36");
  CHECK(pod.spec.containers[1].name == "b");
}

TEST_CASE("local instance: the sandboxes' labels name the root dir and node name the daemon runs with", "[cli][local]") {
  auto sandbox = [](const std::string& root, const std::string& node, int64_t created) {
    cri::Sandbox sb;
    sb.created_at = created;
    if (!root.empty()) sb.labels[agent::kInstanceLabel] = root;
    if (!node.empty()) sb.labels[agent::kNodeNameLabel] = node;
    return sb;
  };
  const cli::InstanceIdentity configured{"/var/lib/crilet", "host"};
  CHECK(cli::FindInstance({}, configured) == configured);
  CHECK(cli::FindInstance({sandbox("", "", 5)}, configured) == configured);  // another kubelet's sandbox
  // --root-dir and --hostname-override on the command line: the labels tell.
  CHECK(cli::FindInstance({sandbox("/tmp/r", "node1", 1)}, configured) == cli::InstanceIdentity{"/tmp/r", "node1"});
  // Two instances: the configured root dir wins over a newer other one; else the newest.
  std::vector<cri::Sandbox> two = {sandbox("/var/lib/crilet", "host", 1), sandbox("/tmp/r", "node1", 9)};
  CHECK(cli::FindInstance(two, configured) == configured);
  CHECK(cli::FindInstance(two, {"/elsewhere", "host"}) == cli::InstanceIdentity{"/tmp/r", "node1"});
  // A sandbox from before the node-name label: the configured node name.
  CHECK(cli::FindInstance({sandbox("/tmp/r", "", 1)}, configured) == cli::InstanceIdentity{"/tmp/r", "host"});
}

TEST_CASE("LocalStatusSource: the manifests' pods, /healthz from the runtime, and why events are missing", "[cli][local]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("crilet-local-" + std::to_string(::getpid()));
  fs::create_directories(dir / "manifests");
  fs::permissions(dir, fs::perms::owner_all);
  std::ofstream(dir / "manifests" / "web.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
                                                   "spec: {containers: [{name: c, image: busybox:1.36}]}\n";
  FakeClock clock;
  auto runtime = std::make_unique<cri::FakeRuntime>(&clock);
  cri::FakeRuntime* fake = runtime.get();
  cli::DaemonConfig c;
  c.manifest_path = (dir / "manifests").string();
  c.root_dir = (dir / "root").string();
  c.node_name = "node1";
  c.allow_insecure_manifest_dir = true;
  c.runtime_endpoint = "unix:///run/fake.sock";
  cli::LocalStatusSource source(c, "/etc/crilet/config.yaml", std::move(runtime), &clock);

  nlohmann::json pods;
  REQUIRE(source.GetJson("/pods", &pods).ok());
  REQUIRE(pods["items"].size() == 1);
  CHECK(pods["items"][0]["metadata"]["name"] == "web-node1");
  CHECK(pods["items"][0]["status"]["phase"] == "Pending");  // no sandbox yet
  nlohmann::json one;
  REQUIRE(source.GetJson("/pods/default/web-node1", &one).ok());
  CHECK(one["metadata"]["uid"] == pods["items"][0]["metadata"]["uid"]);
  CHECK(source.GetJson("/pods/default/nope", &one).IsNotFound());
  nlohmann::json config;
  REQUIRE(source.GetJson("/configz", &config).ok());
  CHECK(config["kubeletconfig"]["containerRuntimeEndpoint"] == "unix:///run/fake.sock");
  CHECK(config["kubeletconfig"]["nodeName"] == "node1");

  Status events = source.GetJson("/events", &one);
  CHECK(events.IsUnavailable());
  CHECK(events.message() ==
        "crilet keeps events in memory and serves them on its read-only port, which /etc/crilet/config.yaml turns off "
        "(readOnlyPort: 0)");
  CHECK(cli::AgentHealthProblem(source).empty());
  fake->SetDown(true);
  CHECK_FALSE(cli::AgentHealthProblem(source).empty());  // the runtime's error, as the agent's /healthz says it
  fs::remove_all(dir);
}
