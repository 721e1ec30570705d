// Agent orphan cleanup against the fake runtime: only static pods, and only once every source has answered.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include <unistd.h>

#include "agent/agent.h"
#include "agent/labels.h"
#include "cri/fake_runtime.h"
#include "manifests/static_pod.h"
#include "probes_test_util.h"

using namespace crilet;
using crilet::testing::Eventually;

namespace {

// A pod sandbox that some earlier agent left in the runtime.
std::string LeftOver(cri::FakeRuntime* rt, const std::string& uid, bool static_pod) {
  cri::SandboxConfig c;
  c.metadata.name = "old-" + uid;
  c.metadata.namespace_ = "default";
  c.metadata.uid = uid;
  c.labels[agent::kPodUidLabel] = uid;
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
  auto root = std::filesystem::temp_directory_path() / ("crilet-orphans-" + std::to_string(getpid()));
  agent::AgentOptions o;
  o.node_name = "node1";
  o.node_ip = "192.0.2.2";
  o.root_dir = (root / "root").string();
  o.pod_logs_dir = (root / "logs").string();
  o.relist_period = std::chrono::milliseconds(20);
  o.watch_exits = false;
  LeftOver(&rt, "static-uid", true);
  LeftOver(&rt, "foreign-uid", false);  // e.g. made with crictl: never ours to remove

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
