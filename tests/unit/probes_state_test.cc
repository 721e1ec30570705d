// Probe worker state machine: kubelet's gates, thresholds, hold and first-run times, as tables.
#include <catch2/catch.hpp>

#include <vector>

#include "probes/probe_state.h"
#include "probes_test_util.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::MakeProbe;

namespace {

constexpr Result S = Result::kSuccess;
constexpr Result F = Result::kFailure;
constexpr Result U = Result::kUnknown;

}  // namespace

TEST_CASE("initial results: readiness Failure, liveness Success, startup Unknown", "[probes][state]") {
  for (auto [type, want] : std::vector<std::pair<ProbeType, Result>>{
           {ProbeType::kReadiness, F}, {ProbeType::kLiveness, S}, {ProbeType::kStartup, U}}) {
    ProbeState s;
    s.on_hold = true;
    s.run = 7;
    NewContainer(&s, type, "c1");
    CHECK(s.container_id == "c1");
    CHECK(s.published == want);
    CHECK(s.run == 0);
    CHECK_FALSE(s.on_hold);
  }
}

TEST_CASE("thresholds: the published result moves after N equal results in a row", "[probes][state]") {
  struct Row {
    const char* name;
    ProbeType type;
    int success_threshold, failure_threshold;
    std::vector<Result> results;    // fed in order
    std::vector<Result> published;  // after each
    std::vector<bool> changed;      // Fold's return after each
    bool hold_at_end;
  };
  const std::vector<Row> rows = {
      {"readiness: one success makes it ready", ProbeType::kReadiness, 1, 3, {S}, {S}, {true}, false},
      {"readiness: successThreshold 2", ProbeType::kReadiness, 2, 3, {S, S, S}, {F, S, S}, {false, true, false}, false},
      {"readiness: failures below the threshold keep it ready", ProbeType::kReadiness, 1, 3,
       {S, F, F, S, F, F, F}, {S, S, S, S, S, S, F}, {true, false, false, false, false, false, true}, false},
      {"readiness: never holds, recovers", ProbeType::kReadiness, 1, 1, {S, F, S}, {S, F, S}, {true, true, true}, false},
      {"liveness: a failure run interrupted by a success starts over", ProbeType::kLiveness, 1, 2,
       {F, S, F, F}, {S, S, S, F}, {false, false, false, true}, true},
      {"liveness: failureThreshold 1 fails at once and holds", ProbeType::kLiveness, 1, 1, {F}, {F}, {true}, true},
      {"liveness: success keeps the initial Success (no change)", ProbeType::kLiveness, 1, 3, {S, S}, {S, S}, {false, false}, false},
      {"startup: success", ProbeType::kStartup, 1, 3, {F, S}, {U, S}, {false, true}, false},
      {"startup: failureThreshold reached holds", ProbeType::kStartup, 1, 3, {F, F, F}, {U, U, F}, {false, false, true}, true},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto spec = MakeProbe(row.success_threshold, row.failure_threshold);
      ProbeState s;
      NewContainer(&s, row.type, "c1");
      for (size_t i = 0; i < row.results.size(); ++i) {
        INFO("result #" << i);
        CHECK(Fold(&s, row.type, spec, row.results[i]) == row.changed[i]);
        CHECK(s.published == row.published[i]);
      }
      CHECK(s.on_hold == row.hold_at_end);
    }
  }
}

TEST_CASE("hold: after a liveness failure the worker waits for a new container ID", "[probes][state]") {
  FakeClock clock;
  auto spec = MakeProbe(1, 1);
  ProbeState s;
  NewContainer(&s, ProbeType::kLiveness, "c1");
  CHECK(Fold(&s, ProbeType::kLiveness, spec, F));
  REQUIRE(s.on_hold);
  CHECK(s.run == 0);
  TickInput in{ProbeType::kLiveness, &spec, true, ToUnixNanos(clock.Now()), true, clock.Now()};
  CHECK(Decide(s, in) == TickAction::kSkip);
  in.running = false;
  CHECK(Decide(s, in) == TickAction::kSkip);  // on hold comes first, as in kubelet
  NewContainer(&s, ProbeType::kLiveness, "c2");
  in.running = true;
  CHECK(Decide(s, in) == TickAction::kProbe);
  CHECK(s.published == S);
}

TEST_CASE("not running: Failure at once, no threshold, no hold", "[probes][state]") {
  auto spec = MakeProbe(1, 3);
  ProbeState s;
  NewContainer(&s, ProbeType::kLiveness, "c1");
  CHECK(FoldNotRunning(&s));
  CHECK(s.published == F);
  CHECK_FALSE(s.on_hold);
  CHECK_FALSE(FoldNotRunning(&s));  // already Failure: no change to report
  ProbeState r;
  NewContainer(&r, ProbeType::kReadiness, "c1");
  Fold(&r, ProbeType::kReadiness, spec, S);
  CHECK(FoldNotRunning(&r));
  ProbeState none;
  CHECK_FALSE(FoldNotRunning(&none));  // no instance yet: nothing to publish
}

TEST_CASE("gates: initial delay, startup before liveness/readiness, not running", "[probes][state]") {
  struct Row {
    const char* name;
    ProbeType type;
    bool running;
    int since_start_ms;
    int initial_delay;
    bool started;
    TickAction want;
  };
  using A = TickAction;
  const std::vector<Row> rows = {
      {"readiness, started, no delay", ProbeType::kReadiness, true, 0, 0, true, A::kProbe},
      {"liveness before initialDelaySeconds", ProbeType::kLiveness, true, 4999, 5, true, A::kSkip},
      {"liveness at initialDelaySeconds", ProbeType::kLiveness, true, 5000, 5, true, A::kProbe},
      {"liveness waits for the startup probe", ProbeType::kLiveness, true, 60000, 0, false, A::kSkip},
      {"readiness waits for the startup probe", ProbeType::kReadiness, true, 60000, 0, false, A::kSkip},
      {"startup probes until started", ProbeType::kStartup, true, 0, 0, false, A::kProbe},
      {"startup stops once started", ProbeType::kStartup, true, 0, 0, true, A::kSkip},
      {"startup honours initialDelaySeconds", ProbeType::kStartup, true, 1000, 2, false, A::kSkip},
      {"not running: fail, whatever the delay", ProbeType::kReadiness, false, 0, 30, false, A::kFailNotRunning},
      {"not running startup probe", ProbeType::kStartup, false, 0, 0, false, A::kFailNotRunning},
  };
  FakeClock clock;
  const int64_t started_at = ToUnixNanos(clock.Now());
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto spec = MakeProbe(1, 3, row.initial_delay);
      ProbeState s;
      NewContainer(&s, row.type, "c1");
      FakeClock now(FromUnixNanos(started_at));
      now.Advance(std::chrono::milliseconds(row.since_start_ms));
      TickInput in{row.type, &spec, row.running, started_at, row.started, now.Now()};
      CHECK(Decide(s, in) == row.want);
    }
  }
}

TEST_CASE("gates scale with the manager's time unit", "[probes][state]") {
  FakeClock clock;
  auto spec = MakeProbe(1, 3, 5);
  ProbeState s;
  NewContainer(&s, ProbeType::kReadiness, "c1");
  int64_t started_at = ToUnixNanos(clock.Now());
  clock.Advance(std::chrono::milliseconds(499));
  TickInput in{ProbeType::kReadiness, &spec, true, started_at, true, clock.Now(), std::chrono::milliseconds(100)};
  CHECK(Decide(s, in) == TickAction::kSkip);
  clock.Advance(std::chrono::milliseconds(1));
  in.now = clock.Now();
  CHECK(Decide(s, in) == TickAction::kProbe);
}

TEST_CASE("first run: after initialDelaySeconds, jittered over a period only right after start", "[probes][state]") {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  struct Row {
    const char* name;
    int initial_delay, period;
    milliseconds since_container_start, since_manager_start;
    double random01;
    bool jitter;
    milliseconds want;
  };
  const std::vector<Row> rows = {
      {"new container, no delay: at once", 0, 10, milliseconds(0), seconds(3600), 0.7, true, milliseconds(0)},
      {"initial delay still to run", 5, 10, milliseconds(2000), seconds(3600), 0.7, true, milliseconds(3000)},
      {"initial delay already passed (adopted container)", 5, 10, seconds(60), seconds(3600), 0.7, true, milliseconds(0)},
      {"just started: random part of the period", 0, 10, seconds(60), seconds(2), 0.25, true, milliseconds(2500)},
      {"just started, initial delay longer than the jitter", 8, 10, milliseconds(0), seconds(2), 0.25, true, milliseconds(8000)},
      {"started a period ago: no jitter", 0, 10, seconds(60), seconds(10), 0.9, true, milliseconds(0)},
      {"jitter turned off", 0, 10, seconds(60), seconds(0), 0.9, false, milliseconds(0)},
  };
  FakeClock clock;
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto spec = MakeProbe(1, 3, row.initial_delay, row.period);
      FirstRunInput in;
      in.spec = &spec;
      in.now = clock.Now();
      in.started_at = ToUnixNanos(clock.Now() - row.since_container_start);
      in.since_manager_start = row.since_manager_start;
      in.random01 = row.random01;
      in.jitter = row.jitter;
      CHECK(std::chrono::duration_cast<milliseconds>(FirstRunDelay(in)) == row.want);
    }
  }
}

TEST_CASE("start slots: a time moves up to the next grid point", "[probes][state]") {
  using std::chrono::milliseconds;
  struct Row {
    const char* name;
    milliseconds since_origin, slot, want;
  };
  const std::vector<Row> rows = {
      {"on a grid point: unchanged", milliseconds(1200), milliseconds(100), milliseconds(1200)},
      {"just after a grid point: the next one", milliseconds(1201), milliseconds(100), milliseconds(1300)},
      {"just before a grid point", milliseconds(1299), milliseconds(100), milliseconds(1300)},
      {"at the origin", milliseconds(0), milliseconds(100), milliseconds(0)},
      {"before the origin: still rounded up", milliseconds(-150), milliseconds(100), milliseconds(-100)},
      {"no grid", milliseconds(1234), milliseconds(0), milliseconds(1234)},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      CHECK(std::chrono::duration_cast<milliseconds>(AlignToSlot(row.since_origin, row.slot)) == row.want);
    }
  }
}

TEST_CASE("a worker's life with a fake clock: startup gates liveness, which fails and holds", "[probes][state]") {
  // Ticks every period as the manager would run them, with results scripted per tick.
  FakeClock clock;
  const int64_t started_at = ToUnixNanos(clock.Now());
  auto startup_spec = MakeProbe(1, 30);
  auto live_spec = MakeProbe(1, 2);
  ProbeState startup, live;
  NewContainer(&startup, ProbeType::kStartup, "c1");
  NewContainer(&live, ProbeType::kLiveness, "c1");
  std::vector<Result> startup_results = {F, F, S};
  std::vector<Result> live_results = {S, F, F, F};
  size_t si = 0, li = 0;
  std::vector<std::string> log;
  for (int tick = 0; tick < 8; ++tick) {
    bool started = startup.published == S;
    TickInput sin{ProbeType::kStartup, &startup_spec, true, started_at, started, clock.Now()};
    if (Decide(startup, sin) == TickAction::kProbe) {
      Fold(&startup, ProbeType::kStartup, startup_spec, startup_results[si++]);
      log.push_back("startup");
    }
    TickInput lin{ProbeType::kLiveness, &live_spec, true, started_at, started, clock.Now()};
    if (Decide(live, lin) == TickAction::kProbe) {
      Fold(&live, ProbeType::kLiveness, live_spec, live_results[li++]);
      log.push_back("liveness");
    }
    clock.Advance(std::chrono::seconds(1));
  }
  // Liveness ran only from the tick after startup succeeded, and stopped once it failed twice.
  CHECK(log == std::vector<std::string>{"startup", "startup", "startup", "liveness", "liveness", "liveness"});
  CHECK(live.published == F);
  CHECK(live.on_hold);
}
