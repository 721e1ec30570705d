// Table tests for ComputePodActions: one scenario per kubelet rule.
#include <catch2/catch.hpp>

#include "agent/plan.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::Instance;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;
using crilet::testing::ReadySandbox;
using CS = cri::ContainerState;

namespace {

const TimePoint kNow = FromUnixNanos(1'700'000'100'000'000'000);

PodActions Plan(const manifests::Pod& pod, const ObservedPod& obs, const Backoff* backoff = nullptr,
                const probes::PodResults* probes = nullptr, std::optional<TimePoint> start = std::nullopt) {
  return ComputePodActions(PlanInput{&pod, &obs, probes, backoff, kNow, start});
}

std::vector<int> Indices(const std::vector<ContainerStart>& v) {
  std::vector<int> out;
  for (const auto& s : v) out.push_back(s.ref.index);
  return out;
}

ObservedPod Running(const manifests::Pod& pod) {
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};
  for (const auto& c : pod.spec.containers) obs.containers.push_back(Instance(pod, c.name, CS::kRunning));
  return obs;
}

}  // namespace

TEST_CASE("a new pod gets a sandbox and all its containers", "[plan]") {
  auto pod = MakePod({"a", "b"});
  auto a = Plan(pod, ObservedPod{});
  CHECK(a.create_sandbox);
  CHECK(a.kill_pod);  // nothing to kill, but kubelet sets it with a new sandbox
  CHECK(a.attempt == 0);
  CHECK(Indices(a.containers_to_start) == std::vector<int>{0, 1});
  CHECK(a.init_containers_to_start.empty());
}

TEST_CASE("a running pod needs nothing", "[plan]") {
  auto pod = MakePod({"a", "b"});
  auto a = Plan(pod, Running(pod));
  CHECK_FALSE(a.create_sandbox);
  CHECK_FALSE(a.kill_pod);
  CHECK(a.containers_to_start.empty());
  CHECK(a.containers_to_kill.empty());
  CHECK(a.sandbox_id == "sb1");
}

TEST_CASE("exited containers restart according to restartPolicy", "[plan]") {
  struct Row {
    std::string policy;
    int exit_code;
    bool restart;
  };
  for (const Row& r : std::vector<Row>{{"Always", 0, true}, {"Always", 1, true}, {"OnFailure", 0, false},
                                       {"OnFailure", 2, true}, {"Never", 0, false}, {"Never", 1, false}}) {
    DYNAMIC_SECTION(r.policy << " exit " << r.exit_code) {
      auto pod = MakePod({"a"}, r.policy);
      ObservedPod obs;
      obs.sandboxes = {ReadySandbox()};
      obs.containers = {Instance(pod, "a", CS::kExited, r.exit_code, ToUnixNanos(kNow) - 1'000'000'000)};
      auto a = Plan(pod, obs);
      CHECK(Indices(a.containers_to_start) == (r.restart ? std::vector<int>{0} : std::vector<int>{}));
      // Nothing left to run: the pod's sandbox is stopped.
      CHECK(a.kill_pod == !r.restart);
      if (r.restart) {
        REQUIRE(a.containers_to_start[0].last_exit.has_value());
        CHECK(*a.containers_to_start[0].last_exit == kNow - std::chrono::seconds(1));
      }
    }
  }
}

TEST_CASE("a restart inside the crash backoff waits until it ends", "[plan][backoff]") {
  auto pod = MakePod({"a"});
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};
  TimePoint finished = kNow - std::chrono::seconds(3);
  obs.containers = {Instance(pod, "a", CS::kExited, 1, ToUnixNanos(finished), "", 1)};
  Backoff backoff(std::chrono::seconds(10), std::chrono::seconds(300));
  std::string key = CrashBackoffKey(pod, pod.spec.containers[0]);
  backoff.Next(key, finished - std::chrono::seconds(30), finished - std::chrono::seconds(30));  // 10s
  backoff.Next(key, finished, finished);                                                        // 20s

  auto a = Plan(pod, obs, &backoff);
  CHECK(a.containers_to_start.empty());
  REQUIRE(a.backoff_waits.size() == 1);
  CHECK(a.backoff_waits[0].until == finished + std::chrono::seconds(20));
  CHECK(a.backoff_waits[0].message ==
        "back-off 20s restarting failed container=a pod=web-node1_default(0123456789abcdef0123456789abcdef)");
  CHECK_FALSE(a.kill_pod);  // a container waiting to restart keeps the pod

  // Once the backoff has passed, the container starts.
  auto later = ComputePodActions(PlanInput{&pod, &obs, nullptr, &backoff, finished + std::chrono::seconds(21), std::nullopt});
  CHECK(Indices(later.containers_to_start) == std::vector<int>{0});
}

TEST_CASE("a dead sandbox is replaced with a new attempt and all containers", "[plan]") {
  auto pod = MakePod({"a", "b"});
  ObservedPod obs = Running(pod);
  obs.sandboxes[0].state = cri::SandboxState::kNotReady;
  obs.sandboxes[0].attempt = 2;
  for (auto& c : obs.containers) c.state = CS::kExited;
  auto a = Plan(pod, obs);
  CHECK(a.kill_pod);
  CHECK(a.create_sandbox);
  CHECK(a.attempt == 3);
  CHECK(Indices(a.containers_to_start) == std::vector<int>{0, 1});
}

TEST_CASE("a sandbox that lost its IP or changed network mode is replaced", "[plan]") {
  auto pod = MakePod({"a"});
  ObservedPod obs = Running(pod);
  obs.sandboxes[0].ip = "";
  CHECK(Plan(pod, obs).create_sandbox);

  auto host = MakePod({"a"});
  host.spec.host_network = true;
  ObservedPod obs2 = Running(host);  // sandbox on the pod network
  auto a = Plan(host, obs2);
  CHECK(a.create_sandbox);
  CHECK(a.attempt == 1);
}

TEST_CASE("a finished Never pod does not get its sandbox back", "[plan]") {
  auto pod = MakePod({"a"}, "Never");
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};
  obs.sandboxes[0].state = cri::SandboxState::kNotReady;
  obs.containers = {Instance(pod, "a", CS::kExited, 1, 5)};
  auto a = Plan(pod, obs);
  CHECK(a.kill_pod);
  CHECK_FALSE(a.create_sandbox);
  CHECK(a.containers_to_start.empty());
}

TEST_CASE("OnFailure pod whose containers all succeeded is not recreated", "[plan]") {
  auto pod = MakePod({"a"}, "OnFailure");
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};
  obs.sandboxes[0].state = cri::SandboxState::kNotReady;
  obs.containers = {Instance(pod, "a", CS::kExited, 0, 5)};
  auto a = Plan(pod, obs);
  CHECK_FALSE(a.create_sandbox);
}

TEST_CASE("init containers run one at a time, in order", "[plan][init]") {
  auto pod = MakePod({"app"});
  pod.spec.init_containers = {MakeContainer("i0"), MakeContainer("i1")};
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};

  SECTION("nothing ran: the first init container starts") {
    auto a = Plan(pod, obs);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 0});
    CHECK(a.containers_to_start.empty());
  }
  SECTION("the first is running: wait") {
    obs.containers = {Instance(pod, "i0", CS::kRunning)};
    auto a = Plan(pod, obs);
    CHECK(a.init_containers_to_start.empty());
    CHECK(a.containers_to_start.empty());
    CHECK_FALSE(a.kill_pod);
  }
  SECTION("the first succeeded: the second starts") {
    obs.containers = {Instance(pod, "i0", CS::kExited, 0, 5)};
    auto a = Plan(pod, obs);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 1});
  }
  SECTION("all succeeded: the app containers start") {
    obs.containers = {Instance(pod, "i1", CS::kExited, 0, 6), Instance(pod, "i0", CS::kExited, 0, 5)};
    auto a = Plan(pod, obs);
    CHECK(a.init_containers_to_start.empty());
    CHECK(Indices(a.containers_to_start) == std::vector<int>{0});
  }
  SECTION("a failed init container is retried under Always") {
    obs.containers = {Instance(pod, "i0", CS::kExited, 1, 5)};
    auto a = Plan(pod, obs);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 0});
    CHECK(a.init_containers_to_start[0].last_exit.has_value());
  }
  SECTION("a failed init container fails the pod under Never") {
    pod.spec.restart_policy = "Never";
    obs.containers = {Instance(pod, "i0", CS::kExited, 1, 5)};
    auto a = Plan(pod, obs);
    CHECK(a.kill_pod);
    CHECK(a.init_containers_to_start.empty());
    CHECK(a.containers_to_start.empty());
  }
  SECTION("an OOM-killed init container counts as failed even with exit 0") {
    pod.spec.restart_policy = "Never";
    auto i0 = Instance(pod, "i0", CS::kExited, 0, 5);
    i0.reason = "OOMKilled";
    obs.containers = {i0};
    CHECK(Plan(pod, obs).kill_pod);
  }
  SECTION("once an app container runs, removed init containers are not run again") {
    obs.containers = {Instance(pod, "app", CS::kRunning)};
    auto a = Plan(pod, obs);
    CHECK(a.init_containers_to_start.empty());
    CHECK(a.containers_to_start.empty());
  }
  SECTION("a new sandbox purges init containers and starts over") {
    obs.sandboxes[0].state = cri::SandboxState::kNotReady;
    obs.containers = {Instance(pod, "app", CS::kExited, 137, 5), Instance(pod, "i1", CS::kExited, 0, 4),
                      Instance(pod, "i0", CS::kExited, 0, 3)};
    auto a = Plan(pod, obs);
    CHECK(a.create_sandbox);
    CHECK(a.purge_init_containers);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 0});
    CHECK(a.containers_to_start.empty());
  }
}

TEST_CASE("sidecars start in order and gate the next init container on their startup probe", "[plan][sidecar]") {
  auto pod = MakePod({"app"});
  auto side = MakeContainer("side");
  side.restart_policy = "Always";
  pod.spec.init_containers = {side, MakeContainer("i1")};
  ObservedPod obs;
  obs.sandboxes = {ReadySandbox()};

  SECTION("a running sidecar without startup probe lets the next init container start") {
    obs.containers = {Instance(pod, "side", CS::kRunning)};
    auto a = Plan(pod, obs);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 1});
  }
  SECTION("with a startup probe, the next waits until it succeeds") {
    pod.spec.init_containers[0].startup_probe = manifests::Probe{};
    obs.containers = {Instance(pod, "side", CS::kRunning, 0, 0, "side-1")};
    CHECK(Plan(pod, obs).init_containers_to_start.empty());
    probes::PodResults results;
    results["side-1"].startup = probes::Result::kSuccess;
    auto a = Plan(pod, obs, nullptr, &results);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 1});
    results["side-1"].startup = probes::Result::kFailure;
    auto b = Plan(pod, obs, nullptr, &results);
    REQUIRE(b.containers_to_kill.size() == 1);
    CHECK(b.containers_to_kill[0].reason == KillReason::kStartupProbe);
    CHECK(b.init_containers_to_start[0].ref == ContainerRef{true, 0});
  }
  SECTION("an exited sidecar is restarted, whatever the policy, while apps keep running") {
    pod.spec.restart_policy = "Never";
    obs.containers = {Instance(pod, "app", CS::kRunning), Instance(pod, "side", CS::kExited, 0, 5),
                      Instance(pod, "i1", CS::kExited, 0, 4)};
    auto a = Plan(pod, obs);
    REQUIRE(a.init_containers_to_start.size() == 1);
    CHECK(a.init_containers_to_start[0].ref == ContainerRef{true, 0});
  }
  SECTION("sidecars do not keep a finished pod alive") {
    pod.spec.restart_policy = "Never";
    obs.containers = {Instance(pod, "app", CS::kExited, 0, 9), Instance(pod, "side", CS::kRunning),
                      Instance(pod, "i1", CS::kExited, 0, 4)};
    auto a = Plan(pod, obs);
    CHECK(a.kill_pod);
    CHECK(a.init_containers_to_start.empty());
  }
}

TEST_CASE("liveness and startup failures kill and restart, a changed spec restarts whatever the policy", "[plan]") {
  auto pod = MakePod({"a"});
  ObservedPod obs = Running(pod);
  const std::string id = obs.containers[0].id;
  probes::PodResults results;

  results[id].liveness = probes::Result::kFailure;
  auto a = Plan(pod, obs, nullptr, &results);
  REQUIRE(a.containers_to_kill.size() == 1);
  CHECK(a.containers_to_kill[0].reason == KillReason::kLivenessProbe);
  CHECK(a.containers_to_kill[0].message == "Container a failed liveness probe, will be restarted");
  CHECK(Indices(a.containers_to_start) == std::vector<int>{0});

  results[id] = {};
  results[id].startup = probes::Result::kFailure;
  auto b = Plan(pod, obs, nullptr, &results);
  REQUIRE(b.containers_to_kill.size() == 1);
  CHECK(b.containers_to_kill[0].reason == KillReason::kStartupProbe);

  SECTION("Never: the failed container is killed, not restarted, and the pod stops") {
    pod.spec.restart_policy = "Never";
    results[id] = {};
    results[id].liveness = probes::Result::kFailure;
    auto c = Plan(pod, obs, nullptr, &results);
    CHECK(c.containers_to_kill[0].message == "Container a failed liveness probe");
    CHECK(c.containers_to_start.empty());
    CHECK(c.kill_pod);
  }
  SECTION("image change") {
    pod.spec.restart_policy = "Never";
    pod.spec.containers[0].image = "busybox:1.37";
    auto c = Plan(pod, obs);
    REQUIRE(c.containers_to_kill.size() == 1);
    CHECK(c.containers_to_kill[0].reason == KillReason::kDefinitionChanged);
    CHECK(c.containers_to_kill[0].message == "Container a definition changed, will be restarted");
    CHECK(Indices(c.containers_to_start) == std::vector<int>{0});
  }
}

TEST_CASE("a container in unknown state is killed before it is started again", "[plan]") {
  auto pod = MakePod({"a"});
  ObservedPod obs = Running(pod);
  obs.containers[0].state = CS::kUnknown;
  auto a = Plan(pod, obs);
  REQUIRE(a.containers_to_kill.size() == 1);
  CHECK(a.containers_to_kill[0].reason == KillReason::kUnknownState);
  CHECK(Indices(a.containers_to_start) == std::vector<int>{0});
}

TEST_CASE("an older live instance beside the newest is stopped, once per duplicate", "[plan]") {
  // crilet SIGKILLed during StartContainer: the runtime went on to start it, the next crilet made another.
  auto pod = MakePod({"a", "b"});
  ObservedPod obs = Running(pod);  // newest first, as RuntimeState lists them
  obs.containers.push_back(Instance(pod, "a", CS::kRunning, 0, 0, "old-a"));
  obs.containers.push_back(Instance(pod, "a", CS::kExited, 137, 5, "dead-a"));
  obs.containers.push_back(Instance(pod, "b", CS::kCreated, 0, 0, "created-b"));
  auto a = Plan(pod, obs);
  REQUIRE(a.containers_to_kill.size() == 1);  // not the exited one, and a never-started one is only removed
  CHECK(a.containers_to_kill[0].container_id == "old-a");
  CHECK(a.containers_to_kill[0].reason == KillReason::kDuplicate);
  CHECK(a.containers_to_kill[0].ref.index == 0);
  CHECK(a.containers_to_start.empty());  // the newest keeps running
  CHECK_FALSE(a.kill_pod);
}

TEST_CASE("activeDeadlineSeconds fails the pod once passed", "[plan]") {
  auto pod = MakePod({"a"});
  pod.spec.active_deadline_seconds = 60;
  ObservedPod obs = Running(pod);
  CHECK_FALSE(Plan(pod, obs, nullptr, nullptr, kNow - std::chrono::seconds(59)).deadline_exceeded);
  auto a = Plan(pod, obs, nullptr, nullptr, kNow - std::chrono::seconds(60));
  CHECK(a.deadline_exceeded);
  CHECK(a.kill_pod);
  CHECK(a.containers_to_start.empty());
}
