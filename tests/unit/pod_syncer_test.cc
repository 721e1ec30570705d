// PodSyncer against the fake runtime and a fake clock: a pod's life from start to removal.
#include <catch2/catch.hpp>

#include <filesystem>

#include "agent/plan.h"
#include "agent/pod_syncer.h"
#include "cri/fake_runtime.h"
#include "syncer_harness.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;

namespace {

using Harness = crilet::testing::SyncerHarness;

}  // namespace

TEST_CASE("a pod starts, crash-loops with growing backoff, and is removed", "[syncer]") {
  Harness h;
  auto pod = MakePod({"app"});
  PodSyncer s(&h.env, &h.store, pod);

  // First sync: sandbox, then the container, running.
  auto requeue = s.Sync(nullptr);
  CHECK_FALSE(requeue.has_value());
  REQUIRE(h.runtime.Sandboxes().size() == 1);
  std::string id = h.runtime.ContainerIdByName("app");
  REQUIRE_FALSE(id.empty());
  auto st = h.Status(pod);
  CHECK(st.phase == "Running");
  REQUIRE(st.container_statuses.size() == 1);
  CHECK(st.container_statuses[0].state.running.has_value());
  CHECK(st.container_statuses[0].ready);
  CHECK(st.container_statuses[0].started == true);
  CHECK(st.container_statuses[0].container_id == "containerd://" + id);
  CHECK(st.pod_ip == "10.88.0.2");
  CHECK(st.host_ip == "192.0.2.10");
  CHECK(h.HasEvent(pod, "Created", "Created container: app"));
  CHECK(h.HasEvent(pod, "Started", "Started container app"));
  CHECK(h.runtime.LastConfig("app")->log_path == "app/0.log");
  CHECK(std::filesystem::exists(h.env.options.root_dir + "/pods/" + pod.metadata.uid + "/etc-hosts"));

  // The container crashes: the first restart is immediate.
  h.clock.Advance(std::chrono::seconds(5));
  h.runtime.ExitContainer(id, 1);
  requeue = s.Sync(nullptr);
  CHECK_FALSE(requeue.has_value());
  std::string id2 = h.runtime.ContainerIdByName("app");
  CHECK(id2 != id);
  st = h.Status(pod);
  CHECK(st.container_statuses[0].restart_count == 1);
  REQUIRE(st.container_statuses[0].last_state.terminated.has_value());
  CHECK(st.container_statuses[0].last_state.terminated->exit_code == 1);
  CHECK(st.container_statuses[0].last_state.terminated->reason == "Error");

  // It crashes again: CrashLoopBackOff for 10s, counted from when it finished.
  h.clock.Advance(std::chrono::seconds(1));
  TimePoint finished = h.clock.Now();
  h.runtime.ExitContainer(id2, 2);
  requeue = s.Sync(nullptr);
  REQUIRE(requeue.has_value());
  CHECK(*requeue == finished + std::chrono::seconds(10));
  CHECK(h.runtime.ContainerIdByName("app") == id2);
  st = h.Status(pod);
  REQUIRE(st.container_statuses[0].state.waiting.has_value());
  CHECK(st.container_statuses[0].state.waiting->reason == "CrashLoopBackOff");
  CHECK(st.container_statuses[0].state.waiting->message ==
        "back-off 10s restarting failed container=app pod=web-node1_default(" + pod.metadata.uid + ")");
  CHECK(st.container_statuses[0].last_state.terminated->exit_code == 2);
  CHECK(st.phase == "Running");  // restartPolicy Always: restarting containers keep the pod Running
  CHECK(h.HasEvent(pod, "BackOff", "Back-off restarting failed container app in pod web-node1_default(" +
                                       pod.metadata.uid + ")"));

  // At the requeue time it restarts; the next crash waits 20s.
  h.clock.Set(*requeue);
  s.Sync(nullptr);
  std::string id3 = h.runtime.ContainerIdByName("app");
  CHECK(id3 != id2);
  CHECK(h.Status(pod).container_statuses[0].restart_count == 2);
  h.clock.Advance(std::chrono::seconds(3));
  h.runtime.ExitContainer(id3, 1);
  requeue = s.Sync(nullptr);
  REQUIRE(requeue.has_value());
  CHECK(*requeue - h.clock.Now() == std::chrono::seconds(20));

  // Only one dead instance per container is kept (for logs --previous).
  int dead = 0;
  for (const auto& c : h.runtime.Containers()) dead += c.state == cri::ContainerState::kExited;
  CHECK(dead == 1);

  // Removal leaves nothing behind.
  REQUIRE(s.Terminate(nullptr).ok());
  CHECK(h.runtime.Sandboxes().empty());
  CHECK(h.runtime.Containers().empty());
  CHECK_FALSE(h.store.Status(pod.metadata.uid).has_value());
  CHECK_FALSE(std::filesystem::exists(h.env.options.root_dir + "/pods/" + pod.metadata.uid));
}

TEST_CASE("the crash backoff survives a new syncer through the checkpoint", "[syncer]") {
  Harness h;
  auto pod = MakePod({"app"});
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    h.runtime.ExitContainer(h.runtime.ContainerIdByName("app"), 1);
    s.Sync(nullptr);  // restart 1, backoff entry 10s
  }
  // crilet restarts: a new syncer adopts the running container and keeps the backoff.
  PodSyncer again(&h.env, &h.store, pod);
  size_t creates = h.runtime.CountCalls("CreateContainer");
  again.Sync(nullptr);
  CHECK(h.runtime.CountCalls("CreateContainer") == creates);  // adopted, not restarted
  CHECK(again.crash_backoff().Get(CrashBackoffKey(pod, pod.spec.containers[0])) == std::chrono::seconds(10));
  h.runtime.ExitContainer(h.runtime.ContainerIdByName("app"), 1);
  auto requeue = again.Sync(nullptr);
  REQUIRE(requeue.has_value());
  CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "CrashLoopBackOff");
}

TEST_CASE("Never pods end Succeeded or Failed and stop their sandbox", "[syncer]") {
  Harness h;
  for (int code : {0, 3}) {
    DYNAMIC_SECTION("exit " << code) {
      auto pod = MakePod({"job"}, "Never");
      PodSyncer s(&h.env, &h.store, pod);
      s.Sync(nullptr);
      h.runtime.ExitContainer(h.runtime.ContainerIdByName("job"), code);
      s.Sync(nullptr);
      auto st = h.Status(pod);
      CHECK(st.phase == (code == 0 ? "Succeeded" : "Failed"));
      CHECK(st.container_statuses[0].state.terminated->reason == (code == 0 ? "Completed" : "Error"));
      CHECK(h.runtime.Sandboxes()[0].state == cri::SandboxState::kNotReady);
      size_t runs = h.runtime.CountCalls("RunPodSandbox");
      s.Sync(nullptr);
      CHECK(h.runtime.CountCalls("RunPodSandbox") == runs);
      auto ready = std::find_if(st.conditions.begin(), st.conditions.end(), [](auto& c) { return c.type == "Ready"; });
      CHECK(ready->reason == (code == 0 ? "PodCompleted" : "PodFailed"));
    }
  }
}

TEST_CASE("image pull policy: Never, pull, pull failure and its backoff", "[syncer][image]") {
  Harness h;
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];

  SECTION("Never with the image absent") {
    c.image = "absent:1";
    c.image_pull_policy = "Never";
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    auto w = h.Status(pod).container_statuses[0].state.waiting;
    REQUIRE(w.has_value());
    CHECK(w->reason == "ErrImageNeverPull");
    CHECK(w->message == "Container image \"absent:1\" is not present with pull policy of Never");
    CHECK(h.Status(pod).phase == "Pending");
  }
  SECTION("IfNotPresent pulls a missing image") {
    c.image = "remote:1";
    h.runtime.SetPullable("remote:1", true);
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    CHECK(h.runtime.CountCalls("PullImage remote:1") == 1);
    CHECK(h.Status(pod).container_statuses[0].state.running.has_value());
    CHECK(h.HasEvent(pod, "Pulling", "Pulling image \"remote:1\""));
    CHECK(h.runtime.LastConfig("app")->image == "sha256:remote:1");  // created from the image ID
    CHECK(h.runtime.LastConfig("app")->user_specified_image == "remote:1");
  }
  SECTION("a failed pull shows ErrImagePull, then ImagePullBackOff until the backoff ends") {
    c.image = "missing:1";
    PodSyncer s(&h.env, &h.store, pod);
    auto requeue = s.Sync(nullptr);
    CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "ErrImagePull");
    REQUIRE(requeue.has_value());
    CHECK(*requeue == h.clock.Now() + std::chrono::seconds(1));  // soon, to show ImagePullBackOff
    h.clock.Advance(std::chrono::seconds(1));
    requeue = s.Sync(nullptr);
    CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "ImagePullBackOff");
    REQUIRE(requeue.has_value());
    CHECK(*requeue == h.clock.Now() + std::chrono::seconds(9));  // then when the 10s backoff ends
    h.clock.Advance(std::chrono::seconds(4));
    s.Sync(nullptr);
    CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "ImagePullBackOff");
    CHECK(h.runtime.CountCalls("PullImage") == 1);
    h.clock.Advance(std::chrono::seconds(6));
    h.runtime.SetPullable("missing:1", true);
    s.Sync(nullptr);
    CHECK(h.runtime.CountCalls("PullImage") == 2);
    CHECK(h.Status(pod).container_statuses[0].state.running.has_value());
  }
}

TEST_CASE("init containers run in order before the app, and the status tells the progress", "[syncer][init]") {
  Harness h;
  auto pod = MakePod({"app"});
  pod.spec.init_containers = {MakeContainer("first"), MakeContainer("second")};
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  CHECK_FALSE(h.runtime.ContainerIdByName("first").empty());
  CHECK(h.runtime.ContainerIdByName("second").empty());
  auto st = h.Status(pod);
  CHECK(st.phase == "Pending");
  CHECK(st.container_statuses[0].state.waiting->reason == "PodInitializing");
  auto init = std::find_if(st.conditions.begin(), st.conditions.end(), [](auto& c) { return c.type == "Initialized"; });
  CHECK(init->status == "False");
  CHECK(init->message == "containers with incomplete status: [first second]");

  h.runtime.ExitContainer(h.runtime.ContainerIdByName("first"), 0);
  s.Sync(nullptr);
  CHECK_FALSE(h.runtime.ContainerIdByName("second").empty());
  CHECK(h.runtime.ContainerIdByName("app").empty());
  h.runtime.ExitContainer(h.runtime.ContainerIdByName("second"), 0);
  s.Sync(nullptr);
  CHECK_FALSE(h.runtime.ContainerIdByName("app").empty());
  st = h.Status(pod);
  CHECK(st.phase == "Running");
  CHECK(st.init_container_statuses[0].state.terminated->reason == "Completed");
  CHECK(st.init_container_statuses[0].ready);
  init = std::find_if(st.conditions.begin(), st.conditions.end(), [](auto& c) { return c.type == "Initialized"; });
  CHECK(init->status == "True");
}

TEST_CASE("a sandbox killed from outside is recreated with a new attempt", "[syncer]") {
  Harness h;
  auto pod = MakePod({"app"});
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  std::string old_sb = h.runtime.Sandboxes()[0].id;
  h.runtime.KillSandbox(old_sb);
  s.Sync(nullptr);
  auto sandboxes = h.runtime.Sandboxes();
  auto ready = std::count_if(sandboxes.begin(), sandboxes.end(), [](auto& sb) { return sb.state == cri::SandboxState::kReady; });
  CHECK(ready == 1);
  CHECK(h.runtime.LastSandboxConfig()->metadata.attempt == 1);
  CHECK(h.HasEvent(pod, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created."));
  CHECK(h.Status(pod).container_statuses[0].state.running.has_value());
  CHECK(h.Status(pod).container_statuses[0].restart_count == 1);
}

TEST_CASE("a container created but never started is removed once a newer one runs", "[syncer]") {
  // As after a failed start, or crilet SIGKILLed between CreateContainer and StartContainer (fault suite).
  Harness h;
  auto pod = MakePod({"app"});
  h.runtime.InjectError("StartContainer", Status(Code::kUnknown, "killed before the start"));
  {
    PodSyncer first(&h.env, &h.store, pod);
    first.Sync(nullptr);
  }
  REQUIRE(h.runtime.Containers().size() == 1);
  CHECK(h.runtime.Containers()[0].state == cri::ContainerState::kCreated);
  PodSyncer after_restart(&h.env, &h.store, pod);
  after_restart.Sync(nullptr);
  after_restart.Sync(nullptr);
  auto containers = h.runtime.Containers();
  REQUIRE(containers.size() == 1);
  CHECK(containers[0].state == cri::ContainerState::kRunning);
  CHECK(containers[0].attempt == 1);
}

TEST_CASE("a start the runtime finished after crilet died leaves no second running instance", "[syncer]") {
  // Fault suite, round 42 of 50: crilet SIGKILLed during StartContainer; the new crilet saw the container
  // still CREATED and made another, then containerd finished starting the first one.
  Harness h;
  auto pod = MakePod({"app"});
  h.runtime.InjectError("StartContainer", Status(Code::kUnknown, "crilet killed during the start"));
  {
    PodSyncer first(&h.env, &h.store, pod);
    first.Sync(nullptr);
  }
  REQUIRE(h.runtime.Containers().size() == 1);
  std::string interrupted = h.runtime.Containers()[0].id;
  PodSyncer after_restart(&h.env, &h.store, pod);
  h.runtime.InjectError("RemoveContainer", Status(Code::kUnknown, "container is being started"));
  after_restart.Sync(nullptr);  // a new instance; removing the CREATED one fails while its start runs
  REQUIRE(h.runtime.StartContainer(interrupted).ok());  // the runtime completes the interrupted start
  std::string newest = h.runtime.ContainerIdByName("app");
  REQUIRE(newest != interrupted);
  after_restart.Sync(nullptr);
  auto containers = h.runtime.Containers();
  REQUIRE(containers.size() == 1);  // stopped and removed: never the pod's last state
  CHECK(containers[0].id == newest);
  CHECK(containers[0].state == cri::ContainerState::kRunning);
  CHECK(h.Status(pod).container_statuses[0].container_id == "containerd://" + newest);
  CHECK(h.HasEvent(pod, "Killing", "Stopping container app: a newer instance of it runs (a start interrupted by a crilet restart)"));
}

TEST_CASE("a new pod is listed Pending while the runtime cannot be asked", "[syncer]") {
  Harness h;
  auto pod = MakePod({"app"});
  h.runtime.SetDown(true);
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  REQUIRE(h.store.Status(pod.metadata.uid).has_value());
  CHECK(h.Status(pod).phase == "Pending");
  h.runtime.SetDown(false);
  s.Sync(nullptr);
  CHECK(h.Status(pod).container_statuses[0].state.running.has_value());
}

TEST_CASE("start failures show kubelet's waiting reasons", "[syncer]") {
  Harness h;
  auto pod = MakePod({"app"});
  SECTION("CreateContainer fails") {
    h.runtime.InjectError("CreateContainer", Status(Code::kUnknown, "failed to create containerd container: boom"));
    PodSyncer s(&h.env, &h.store, pod);
    auto requeue = s.Sync(nullptr);
    auto w = h.Status(pod).container_statuses[0].state.waiting;
    CHECK(w->reason == "CreateContainerError");
    CHECK(w->message == "failed to create containerd container: boom");
    REQUIRE(requeue.has_value());
    s.Sync(nullptr);  // retried and works
    CHECK(h.Status(pod).container_statuses[0].state.running.has_value());
  }
  SECTION("StartContainer fails") {
    h.runtime.InjectError("StartContainer", Status(Code::kUnknown, "exec: \"nope\": executable file not found"));
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "RunContainerError");
  }
  SECTION("an env reference that cannot resolve") {
    manifests::EnvVar e;
    e.name = "X";
    e.field_ref = manifests::ObjectFieldSelector{"v1", "status.phase"};
    pod.spec.containers[0].env = {e};
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    CHECK(h.Status(pod).container_statuses[0].state.waiting->reason == "CreateContainerConfigError");
  }
}
