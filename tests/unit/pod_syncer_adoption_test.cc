// PodSyncer across a crilet restart (a new syncer adopting the running pod) and during a pod's removal.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>

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

const PodCondition& Cond(const PodStatus& s, const std::string& type) {
  for (const auto& c : s.conditions) {
    if (c.type == type) return c;
  }
  FAIL("no condition " << type);
  return s.conditions.front();
}

// As ProbeManager seeds its workers: an instance seen for the first time starts from the results it had
// before the restart (ProbeTarget::restored), else from kubelet's initial readiness Failure. Tests set
// `results` to what later probe runs found.
struct SeedingProber : probes::Prober {
  probes::PodResults results;
  void UpdatePod(const manifests::Pod&, const std::string&, const std::vector<probes::ProbeTarget>& targets) override {
    for (const auto& t : targets) {
      if (!t.running || results.count(t.container_id)) continue;
      results[t.container_id].readiness = t.restored.readiness.value_or(probes::Result::kFailure);
    }
  }
  void RemovePod(const std::string&) override {}
  probes::PodResults Results(const std::string&) const override { return results; }
};

}  // namespace

TEST_CASE("kubelet parity: a probed Ready pod stays Ready with its lastTransitionTime when a restarted crilet adopts it",
          "[syncer][adoption][probes]") {
  Harness h;
  auto pod = MakePod({"app"});
  manifests::Probe ready;
  ready.handler.exec = manifests::ExecAction{{"true"}};
  pod.spec.containers[0].readiness_probe = ready;
  TimePoint ready_at;
  {
    SeedingProber prober;
    h.env.prober = &prober;
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    REQUIRE(Cond(h.Status(pod), "Ready").status == "False");  // not probed yet
    h.clock.Advance(std::chrono::seconds(3));
    ready_at = h.clock.Now();
    prober.results[h.runtime.ContainerIdByName("app")].readiness = probes::Result::kSuccess;
    s.Sync(nullptr);
    REQUIRE(Cond(h.Status(pod), "Ready").status == "True");
    REQUIRE(Cond(h.Status(pod), "Ready").last_transition_time == ready_at);
  }
  // A new process: fresh prober (no results), new syncer, empty store.
  h.clock.Advance(std::chrono::minutes(5));
  h.store.Remove(pod.metadata.uid);
  SeedingProber prober;
  h.env.prober = &prober;
  PodSyncer adopted(&h.env, &h.store, pod);
  adopted.Sync(nullptr);
  std::string id = h.runtime.ContainerIdByName("app");
  CHECK(prober.results[id].readiness == probes::Result::kSuccess);  // the worker starts from the checkpoint
  for (const char* type : {"Ready", "ContainersReady"}) {
    INFO(type);
    CHECK(Cond(h.Status(pod), type).status == "True");
    CHECK(Cond(h.Status(pod), type).last_transition_time == ready_at);
  }
  // A probe failing after the adoption still moves it.
  h.clock.Advance(std::chrono::seconds(2));
  prober.results[id].readiness = probes::Result::kFailure;
  adopted.Sync(nullptr);
  CHECK(Cond(h.Status(pod), "Ready").status == "False");
  CHECK(Cond(h.Status(pod), "Ready").last_transition_time == h.clock.Now());
  h.env.prober = nullptr;
}

TEST_CASE("kubelet parity: conditions keep their lastTransitionTime when a restarted crilet adopts the pod",
          "[syncer][adoption]") {
  Harness h;
  auto pod = MakePod({"app"});
  PodStatus before;
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    before = h.Status(pod);
    REQUIRE(Cond(before, "Ready").status == "True");
  }
  // crilet is down for a while, then a new process (new syncer, empty store) finds the pod running.
  h.clock.Advance(std::chrono::minutes(5));
  h.store.Remove(pod.metadata.uid);
  std::string id = h.runtime.ContainerIdByName("app");
  PodSyncer adopted(&h.env, &h.store, pod);
  adopted.Sync(nullptr);
  PodStatus after = h.Status(pod);
  CHECK(h.runtime.ContainerIdByName("app") == id);
  for (const char* type : {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    INFO(type);
    CHECK(Cond(after, type).status == Cond(before, type).status);
    CHECK(Cond(after, type).last_transition_time == Cond(before, type).last_transition_time);
  }
  CHECK(after.start_time == before.start_time);

  // A real transition after adoption still moves the time, and that too survives the next restart.
  h.clock.Advance(std::chrono::seconds(7));
  TimePoint crash = h.clock.Now();
  h.runtime.ExitContainer(id, 1);
  adopted.Sync(nullptr);  // restarted at once (first restart)
  h.runtime.ExitContainer(h.runtime.ContainerIdByName("app"), 1);
  adopted.Sync(nullptr);  // CrashLoopBackOff: not ready
  PodStatus crashing = h.Status(pod);
  REQUIRE(Cond(crashing, "Ready").status == "False");
  CHECK(Cond(crashing, "Ready").last_transition_time == crash);
  h.clock.Advance(std::chrono::seconds(1));
  h.store.Remove(pod.metadata.uid);
  PodSyncer again(&h.env, &h.store, pod);
  again.Sync(nullptr);
  CHECK(Cond(h.Status(pod), "Ready").last_transition_time == crash);
}

TEST_CASE("kubelet parity: an adopted pod is not observed again in crilet_pod_start_duration_seconds",
          "[syncer][adoption][metrics]") {
  Harness h;
  auto pod = MakePod({"app"});
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    CHECK(h.Starts() == 1);
  }
  // The restarted process has a fresh registry; hours later it adopts the running pod.
  Metrics fresh;
  Harness::DeclareStartMetric(&fresh);
  h.env.metrics = &fresh;
  h.clock.Advance(std::chrono::hours(3));
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
    s.Sync(nullptr);
  }
  CHECK(fresh.HistogramCount("crilet_pod_start_duration_seconds", {}) == 0);

  // Without the checkpoint's note (a checkpoint from an older crilet, or none), an already running pod is
  // recognised as adopted all the same.
  std::filesystem::remove(h.env.options.root_dir + "/pods/" + pod.metadata.uid + "/checkpoint.json");
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
  }
  CHECK(fresh.HistogramCount("crilet_pod_start_duration_seconds", {}) == 0);
  CHECK(fresh.RenderPrometheus().find("crilet_pod_start_duration_seconds_bucket{le=\"+Inf\"}") == std::string::npos);
}

TEST_CASE("kubelet parity: a pod whose start crilet did not see finish is observed once, when it runs",
          "[syncer][adoption][metrics]") {
  Harness h;
  auto pod = MakePod({"app", "web"});
  h.runtime.InjectError("StartContainer", Status::Unavailable("boom"));  // "app" fails to start
  {
    PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);
  }
  CHECK(h.Starts() == 0);
  h.clock.Advance(std::chrono::seconds(20));
  PodSyncer s(&h.env, &h.store, pod);  // crilet restarted before the pod was running
  s.Sync(nullptr);
  CHECK(h.Starts() == 1);
  s.Sync(nullptr);
  CHECK(h.Starts() == 1);
}

TEST_CASE("kubelet parity: no container starts once the pod's removal began during a sync", "[syncer][removal]") {
  Harness h;
  auto pod = MakePod({"first", "second"});
  manifests::LifecycleHandler hook;
  hook.exec = manifests::ExecAction{{"sh", "-c", "slow hook"}};
  pod.spec.containers[0].lifecycle = manifests::Lifecycle{hook, std::nullopt};
  std::atomic<bool> removing{false};
  // The manifest is deleted while the first container's postStart hook runs.
  h.runtime.exec_handler = [&](const std::string&, const std::vector<std::string>&) {
    removing = true;
    return cri::ExecResult{};
  };
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(&removing);
  CHECK_FALSE(h.runtime.ContainerIdByName("first").empty());
  CHECK(h.runtime.ContainerIdByName("second").empty());
  CHECK(h.runtime.CountCalls("CreateContainer second") == 0);

  // A restart the plan decides after that (a crash, a backoff timer that fires) starts nothing either.
  h.runtime.ExitContainer(h.runtime.ContainerIdByName("first"), 1);
  size_t creates = h.runtime.CountCalls("CreateContainer");
  size_t sandboxes = h.runtime.CountCalls("RunPodSandbox");
  h.clock.Advance(std::chrono::minutes(1));
  s.Sync(&removing);
  CHECK(h.runtime.CountCalls("CreateContainer") == creates);
  h.runtime.KillSandbox(h.runtime.Sandboxes().front().id);  // even a dead sandbox is not re-created
  s.Sync(&removing);
  CHECK(h.runtime.CountCalls("RunPodSandbox") == sandboxes);
  CHECK(s.Terminate(nullptr).ok());
  CHECK(h.runtime.Containers().empty());
}

TEST_CASE("kubelet parity: a removed pod shows deletionTimestamp and its grace period while it stops",
          "[syncer][removal]") {
  Harness h;
  auto pod = MakePod({"app"});
  pod.spec.termination_grace_period_seconds = 45;
  PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  CHECK_FALSE(h.store.Pods().front().deletion_timestamp.has_value());
  TimePoint removed = h.clock.Now();
  s.MarkTerminating();
  auto rec = h.store.Pods().front();
  REQUIRE(rec.deletion_timestamp.has_value());
  CHECK(*rec.deletion_timestamp == removed + std::chrono::seconds(45));
  CHECK(rec.deletion_grace_period_seconds == 45);
  // A status published meanwhile keeps the marks.
  s.Sync(nullptr);
  CHECK(h.store.Pods().front().deletion_grace_period_seconds == 45);
  REQUIRE(s.Terminate(nullptr).ok());
  CHECK(h.store.Pods().empty());
}
