// Agent and its pod workers on two threads: what the agent reads of a worker while that worker syncs.
#include <catch2/catch.hpp>

#include <filesystem>

#include <unistd.h>

#include "agent/agent.h"
#include "cri/fake_runtime.h"
#include "probes_test_util.h"
#include "agent_test_util.h"
#include "test_pods.h"

using namespace crilet;
using crilet::testing::Eventually;

// Under TSan this is the regression test for the agent reading a worker's pod (its name, to hold back a new
// UID of the same name) while the worker thread swapped in an updated copy of that pod.
TEST_CASE("agent: a pod updated while a new UID waits for its name", "[agent][workers]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  rt.AddImage("busybox:1.36");
  Metrics metrics;
  auto root = testing::TestRoot("workers");
  agent::AgentOptions o = testing::AgentTestOptions(root);
  {
    agent::Agent a(o, &rt, &clock, &metrics, nullptr);
    a.Start();
    manifests::Pod web = testing::MakePod();
    a.SetDesiredPods({web});
    REQUIRE(Eventually([&] { return rt.Sandboxes().size() == 1; }));

    // The same name under another UID (a changed manifest on the way in) must wait for the old pod to go,
    // while the old pod's labels change every round (its worker applies each update on its own thread).
    manifests::Pod next = testing::MakePod();
    next.metadata.uid = "fedcba9876543210fedcba9876543210";
    for (int round = 0; round < 50; ++round) {
      manifests::Pod changed = web;
      changed.metadata.labels["round"] = std::to_string(round);
      a.SetDesiredPods({changed, next});
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // five relists
    auto sandboxes = rt.Sandboxes();
    REQUIRE(sandboxes.size() == 1);
    CHECK(sandboxes[0].metadata.uid == web.metadata.uid);
    a.Stop();
  }
  std::filesystem::remove_all(root);
}
