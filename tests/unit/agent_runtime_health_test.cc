// RuntimeHealth: outage reasons, a runtime that never answers, and one log line per outage.
#include <catch2/catch.hpp>

#include "agent/runtime_health.h"

using namespace crilet;
using namespace crilet::agent;
using namespace std::chrono_literals;

TEST_CASE("a failed relist makes the runtime unhealthy with its reason", "[agent][health]") {
  FakeClock clock;
  RuntimeHealth h;
  CHECK(RuntimeUnhealthyReason(h, clock.Now(), 10s, "unix:///x.sock").empty());
  h.error = "cannot reach container runtime at unix:///x.sock: connection refused";
  CHECK(RuntimeUnhealthyReason(h, clock.Now(), 10s, "unix:///x.sock") == h.error);
}

TEST_CASE("a relist call waiting past the stall limit is an outage before its deadline", "[agent][health]") {
  FakeClock clock;
  RuntimeHealth h;
  h.call_started = clock.Now();
  clock.Advance(10s);
  CHECK(RuntimeUnhealthyReason(h, clock.Now(), 10s, "unix:///x.sock").empty());
  clock.Advance(2s);
  CHECK(RuntimeUnhealthyReason(h, clock.Now(), 10s, "unix:///x.sock") ==
        "container runtime at unix:///x.sock has not answered for 12s (a CRI call is still waiting for its deadline)");
}

TEST_CASE("one line when an outage begins and one when it ends, whatever its messages", "[agent][health]") {
  std::string ep = "unix:///x.sock";
  std::string refused = "cannot reach container runtime at unix:///x.sock: ListPodSandbox: connection refused";
  std::string gone = "cannot reach container runtime at unix:///x.sock: ListContainers: no such file or directory";
  CHECK(RuntimeTransitionLine("", "", ep).empty());
  CHECK(RuntimeTransitionLine("", refused, ep) == refused);
  CHECK(RuntimeTransitionLine(refused, gone, ep).empty());  // the same outage, another message
  CHECK(RuntimeTransitionLine(gone, gone, ep).empty());
  CHECK(RuntimeTransitionLine(gone, "", ep) == "container runtime at unix:///x.sock is reachable again");
}
