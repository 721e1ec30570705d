// Agent orphan cleanup against the fake runtime: only static pods, and only once every source has answered.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <thread>

#include <unistd.h>

#include "agent/agent.h"
#include "agent/labels.h"
#include "cri/fake_runtime.h"
#include "manifests/static_pod.h"
#include "probes_test_util.h"
#include "agent_test_util.h"
#include "test_pods.h"

using namespace crilet;
using crilet::testing::Eventually;

namespace {

// A pod sandbox that some earlier agent left in the runtime; `owner` is the root dir in its instance label
// ("" = no label, as from a crilet before the label existed).
std::string LeftOver(cri::FakeRuntime* rt, const std::string& uid, bool static_pod, const std::string& owner = "") {
  cri::SandboxConfig c;
  c.metadata.name = "old-" + uid;
  c.metadata.namespace_ = "default";
  c.metadata.uid = uid;
  c.labels[agent::kPodUidLabel] = uid;
  if (!owner.empty()) c.labels[agent::kInstanceLabel] = owner;
  if (static_pod) c.annotations[manifests::kConfigSourceAnnotation] = "file";
  std::string id;
  REQUIRE(rt->RunPodSandbox(c, &id).ok());
  return id;
}

size_t SandboxCount(cri::FakeRuntime* rt) {
  std::vector<cri::Sandbox> all;
  REQUIRE(rt->ListPodSandbox({}, &all).ok());
  return all.size();
}

}  // namespace

TEST_CASE("agent: orphans are removed only once every source has answered, and only static pods",
          "[agent][orphans]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  Metrics metrics;
  auto root = crilet::testing::TestRoot("orphans");
  agent::AgentOptions o = crilet::testing::AgentTestOptions(root);
  LeftOver(&rt, "static-uid", true, o.root_dir);
  LeftOver(&rt, "foreign-uid", false, o.root_dir);  // e.g. made with crictl: never ours to remove

  {
    agent::Agent a(o, &rt, &clock, &metrics, nullptr);
    a.Start();
    // The manifest URL has not answered yet: a pod it declared before a restart must survive.
    a.SetDesiredPods({}, /*sources_ready=*/false);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten relists
    CHECK(SandboxCount(&rt) == 2);

    a.SetDesiredPods({}, /*sources_ready=*/true);
    REQUIRE(Eventually([&] { return SandboxCount(&rt) == 1; }));
    std::vector<cri::Sandbox> left;
    rt.ListPodSandbox({}, &left);
    CHECK(left[0].labels[agent::kPodUidLabel] == "foreign-uid");
    a.Stop();
  }
  std::filesystem::remove_all(root);
}

namespace {

std::set<std::string> SandboxUids(cri::FakeRuntime* rt) {
  std::vector<cri::Sandbox> all;
  REQUIRE(rt->ListPodSandbox({}, &all).ok());
  std::set<std::string> out;
  for (const auto& sb : all) out.insert(sb.labels.at(agent::kPodUidLabel));
  return out;
}

}  // namespace

TEST_CASE("two crilets on one runtime: another instance's pods are never removed, unlabeled ones only with "
          "their pod dir under this root dir",
          "[agent][orphans][instances]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  Metrics metrics;
  metrics.Declare("crilet_relist_duration_seconds", Metrics::Type::kHistogram, "relists", Metrics::LatencyBuckets());
  auto root = crilet::testing::TestRoot("instances");
  agent::AgentOptions o = crilet::testing::AgentTestOptions(root);
  LeftOver(&rt, "mine", true, o.root_dir);
  LeftOver(&rt, "theirs", true, "/var/lib/other-crilet");
  LeftOver(&rt, "legacy-mine", true);      // an older crilet's pod: its pod dir is ours
  LeftOver(&rt, "legacy-unknown", true);   // a kubelet's, or an older crilet's with another root dir
  std::filesystem::create_directories(o.root_dir + "/pods/legacy-mine");

  {
    agent::Agent a(o, &rt, &clock, &metrics, nullptr);
    a.Start();
    a.SetDesiredPods({}, true);
    REQUIRE(Eventually([&] { return SandboxUids(&rt) == std::set<std::string>{"theirs", "legacy-unknown"}; }));
    // Many relists later the other instance's pod is still there.
    uint64_t seen = metrics.HistogramCount("crilet_relist_duration_seconds", {});
    REQUIRE(Eventually([&] { return metrics.HistogramCount("crilet_relist_duration_seconds", {}) >= seen + 5; }));
    CHECK(SandboxUids(&rt) == std::set<std::string>{"theirs", "legacy-unknown"});
    a.Stop();
  }
  std::filesystem::remove_all(root);
}

TEST_CASE("two crilets on one runtime: a pod of the same UID in another instance is not adopted",
          "[agent][orphans][instances]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  rt.AddImage("busybox:1.36");
  Metrics metrics;
  auto root = crilet::testing::TestRoot("adopt-other");
  agent::AgentOptions o = crilet::testing::AgentTestOptions(root);
  auto pod = crilet::testing::MakePod({"app"});
  std::string theirs = LeftOver(&rt, pod.metadata.uid, true, "/var/lib/other-crilet");
  {
    agent::Agent a(o, &rt, &clock, &metrics, nullptr);
    a.Start();
    a.SetDesiredPods({pod}, true);
    // This instance runs its own sandbox for the pod; the other instance's stays as it was.
    REQUIRE(Eventually([&] { return rt.Sandboxes().size() == 2 && !rt.ContainerIdByName("app").empty(); }));
    for (const auto& sb : rt.Sandboxes()) {
      if (sb.id == theirs) CHECK(sb.state == cri::SandboxState::kReady);
      else CHECK(sb.labels.at(agent::kInstanceLabel) == o.root_dir);
    }
    a.Stop();
  }
  std::filesystem::remove_all(root);
}
