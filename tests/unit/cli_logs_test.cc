// crilet logs as kubectl logs and kubelet behave: flag checks, which instance (-p in CrashLoopBackOff), which lines.
#include <catch2/catch.hpp>

#include <filesystem>

#include "agent/pod_syncer.h"
#include "cli/log_selection.h"
#include "cli/log_source.h"
#include "common/rfc3339.h"
#include "cri/fake_runtime.h"
#include "server/pod_json.h"
#include "syncer_harness.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::cli;
using nlohmann::json;

namespace {

TimePoint At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

Status Request(std::vector<std::string> args, LogsRequest* out, const std::function<void(LogsFlags&)>& edit = {}) {
  LogsFlags f;
  f.args = std::move(args);
  if (edit) edit(f);
  return MakeLogsRequest(f, At("2026-01-01T12:00:00Z"), out);
}

std::string Choose(const json& status, bool previous) {
  std::string id;
  Status s = ChooseLogContainer(status, "app", "web-node1", previous, &id);
  return s.ok() ? id : "error: " + s.message();
}

std::string Print(LogLinePrinter::Options o, const std::vector<std::pair<const char*, const char*>>& backlog,
                  const std::vector<std::pair<const char*, const char*>>& later = {}) {
  LogLinePrinter p(std::move(o));
  for (const auto& [t, m] : backlog) p.Add(t, m);
  p.EndOfBacklog();
  for (const auto& [t, m] : later) p.Add(t, m);
  return p.Take();
}

}  // namespace

TEST_CASE("kubectl logs flags: POD CONTAINER positional, and kubectl's errors for bad combinations", "[cli][logs]") {
  LogsRequest r;
  REQUIRE(Request({"web", "app"}, &r).ok());
  CHECK(r.pod == "web");
  CHECK(r.container == "app");
  REQUIRE(Request({"web"}, &r, [](LogsFlags& f) { f.container = "side"; f.container_given = true; }).ok());
  CHECK(r.container == "side");

  auto error = [&](std::vector<std::string> args, const std::function<void(LogsFlags&)>& edit = {}) {
    Status s = Request(std::move(args), &r, edit);
    return s.ok() ? std::string("ok") : s.message();
  };
  CHECK(error({"web"}, [](LogsFlags& f) { f.since = "5m"; f.since_time = "2026-01-01T11:00:00Z"; }) ==
        "at most one of `sinceTime` or `sinceSeconds` may be specified");
  CHECK(error({"web", "app"}, [](LogsFlags& f) { f.container = "x"; f.container_given = true; }) ==
        "only one of -c or an inline [CONTAINER] arg is allowed");
  CHECK(error({"web", "app"}, [](LogsFlags& f) { f.all_containers = true; }) ==
        "--all-containers=true should not be specified with container name app");
  CHECK(error({"web"}, [](LogsFlags& f) { f.limit_bytes = -1; }) == "--limit-bytes must be greater than 0");
  CHECK(error({"web"}, [](LogsFlags& f) { f.since = "-5s"; }) == "--since must be greater than 0");
  CHECK(error({"web"}, [](LogsFlags& f) { f.tail = -2; }) == "--tail must be greater than or equal to -1");
  CHECK(error({}).find("POD or TYPE/NAME is a required argument for the logs command") != std::string::npos);
  CHECK(error({"a", "b", "c"}).find("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'") == 0);
  CHECK(error({"web"}, [](LogsFlags& f) { f.since = "5x"; }).rfind("invalid argument \"5x\" for \"--since\" flag: ", 0) == 0);
  CHECK(error({"web"}, [](LogsFlags& f) { f.since_time = "yesterday"; }).rfind("parsing time \"yesterday\"", 0) == 0);

  // --since is sent as whole seconds (rounded) and counted back from now; --since-time is taken as given.
  REQUIRE(Request({"web"}, &r, [](LogsFlags& f) { f.since = "1m30.6s"; }).ok());
  CHECK(*r.since == At("2026-01-01T11:58:29Z"));
  REQUIRE(Request({"web"}, &r, [](LogsFlags& f) { f.since_time = "2026-01-01T13:00:00+02:00"; }).ok());
  CHECK(*r.since == At("2026-01-01T11:00:00Z"));
}

TEST_CASE("kubelet's validateContainerLogStatus: which instance logs and logs -p read", "[cli][logs]") {
  json running = {{"containerID", "containerd://c3"}, {"state", {{"running", {{"startedAt", "x"}}}}},
                  {"lastState", {{"terminated", {{"exitCode", 1}, {"containerID", "containerd://c2"}}}}}};
  CHECK(Choose(running, false) == "c3");
  CHECK(Choose(running, true) == "c2");

  // CrashLoopBackOff: the current state is Waiting, lastState the instance that ran last; both logs and logs -p
  // read it (restartCount-1.log is gone: container GC removed the instance before it).
  json crash_loop = {{"containerID", "containerd://c3"}, {"restartCount", 3},
                     {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                     {"lastState", {{"terminated", {{"exitCode", 1}, {"containerID", "containerd://c3"}}}}}};
  CHECK(Choose(crash_loop, false) == "c3");
  CHECK(Choose(crash_loop, true) == "c3");

  json first = {{"containerID", "containerd://c1"}, {"state", {{"running", json::object()}}}, {"lastState", json::object()}};
  CHECK(Choose(first, true) == "error: previous terminated container \"app\" in pod \"web-node1\" not found");
  json exited = {{"containerID", "containerd://c1"}, {"state", {{"terminated", {{"containerID", "containerd://c1"}}}}}};
  CHECK(Choose(exited, false) == "c1");
  json pulling = {{"state", {{"waiting", {{"reason", "ErrImagePull"}}}}}, {"lastState", json::object()}};
  CHECK(Choose(pulling, false) == "error: container \"app\" in pod \"web-node1\" is waiting to start: image can't be pulled");
  json creating = {{"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}, {"lastState", json::object()}};
  CHECK(Choose(creating, false) == "error: container \"app\" in pod \"web-node1\" is waiting to start: ContainerCreating");
  CHECK(Choose(json::object(), false) == "error: container \"app\" in pod \"web-node1\" is not available");
}

TEST_CASE("logs -p falls back to the newest exited instance that still exists", "[cli][logs]") {
  auto c = [](const char* id, const char* name, cri::ContainerState state, int64_t created) {
    cri::Container x;
    x.id = id;
    x.state = state;
    x.created_at = created;
    x.labels[agent::kContainerNameLabel] = name;
    return x;
  };
  std::vector<cri::Container> list = {c("old", "app", cri::ContainerState::kExited, 1),
                                      c("newer", "app", cri::ContainerState::kExited, 5),
                                      c("now", "app", cri::ContainerState::kExited, 9),
                                      c("other", "side", cri::ContainerState::kExited, 20),
                                      c("live", "app", cri::ContainerState::kRunning, 30)};
  CHECK(NewestExitedInstance(list, "app", "now")->id == "newer");
  CHECK(NewestExitedInstance(list, "app", "live")->id == "now");
  CHECK_FALSE(NewestExitedInstance({list[2]}, "app", "now").has_value());
}

TEST_CASE("kubectl logs -p in CrashLoopBackOff reads the last instance that ran, through CRI's log_path", "[cli][logs]") {
  // The agent's own status, as the status server serves it, after three crashes with container GC.
  testing::SyncerHarness h;
  auto& clock = h.clock;
  auto& runtime = h.runtime;
  auto& store = h.store;
  auto pod = testing::MakePod({"app"});
  agent::PodSyncer s(&h.env, &store, pod);
  s.Sync(nullptr);
  // Crash until the container waits in CrashLoopBackOff after at least two restarts.
  for (int crash = 0; crash < 10; ++crash) {
    clock.Advance(std::chrono::seconds(3));
    runtime.ExitContainer(runtime.ContainerIdByName("app"), 1);
    auto requeue = s.Sync(nullptr);
    agent::ContainerStatus cs = store.Status(pod.metadata.uid)->container_statuses[0];
    if (requeue && cs.restart_count >= 2 && cs.state.waiting) break;
    if (requeue) {
      clock.Set(*requeue);
      s.Sync(nullptr);
    }
  }
  json status = server::PodStatusToJson(*store.Status(pod.metadata.uid))["containerStatuses"][0];
  INFO(status.dump());
  REQUIRE(status["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  int restart_count = status["restartCount"];
  std::string current = status["containerID"].get<std::string>().substr(13);

  std::string id;
  REQUIRE(ChooseLogContainer(status, "app", "web-node1", true, &id).ok());
  cri::ContainerStatus st;
  REQUIRE(FindLogInstance(&runtime, pod.metadata.uid, "app", id, true, current, &st).ok());
  // The instance that ran last is restartCount's own log file; restartCount-1 was removed with its container.
  CHECK(restart_count >= 2);
  CHECK(st.log_path.ends_with("/app/" + std::to_string(restart_count) + ".log"));
  CHECK(st.id == id);
  cri::ContainerFilter all;
  std::vector<cri::Container> left;
  REQUIRE(runtime.ListContainers(all, &left).ok());
  CHECK(left.size() == 1);

  // A status naming an instance the runtime no longer has: the newest exited one that still exists.
  json stale = status;
  stale["lastState"]["terminated"]["containerID"] = "containerd://gone";
  REQUIRE(ChooseLogContainer(stale, "app", "web-node1", true, &id).ok());
  REQUIRE(FindLogInstance(&runtime, pod.metadata.uid, "app", id, true, "", &st).ok());
  CHECK(st.id == left[0].id);
  // Without -p a missing instance is kubelet's error.
  Status missing = FindLogInstance(&runtime, pod.metadata.uid, "app", "gone", false, "", &st);
  CHECK(missing.IsNotFound());
  CHECK(missing.message().rfind("failed to get container status \"gone\": ", 0) == 0);
}

TEST_CASE("kubelet's log lines: --tail, then --since, --timestamps, --limit-bytes, kubectl's --prefix", "[cli][logs]") {
  std::vector<std::pair<const char*, const char*>> lines = {
      {"2026-01-01T10:00:00.5Z", "one"}, {"2026-01-01T11:00:00Z", "two"}, {"2026-01-01T11:30:00.123456789Z", "three"}};
  CHECK(Print({}, lines) == "one\ntwo\nthree\n");
  LogLinePrinter::Options tail;
  tail.tail = 2;
  CHECK(Print(tail, lines, {{"2026-01-01T12:00:00Z", "four"}}) == "two\nthree\nfour\n");
  tail.tail = 0;
  CHECK(Print(tail, lines, {{"2026-01-01T12:00:00Z", "four"}}) == "four\n");

  // kubelet starts at the tail and then skips lines older than --since: the tail is not refilled.
  LogLinePrinter::Options since;
  since.since = At("2026-01-01T10:30:00Z");
  CHECK(Print(since, lines) == "two\nthree\n");
  since.tail = 2;
  since.since = At("2026-01-01T11:15:00Z");
  CHECK(Print(since, lines) == "three\n");

  LogLinePrinter::Options ts;
  ts.timestamps = true;
  CHECK(Print(ts, {lines[0], lines[2]}) ==
        "2026-01-01T10:00:00.500000000Z one\n2026-01-01T11:30:00.123456789Z three\n");

  LogLinePrinter::Options limit;
  limit.limit_bytes = 6;  // "one\n" + "tw": cut mid-line, as kubelet's limited writer does
  CHECK(Print(limit, lines, {{"2026-01-01T12:00:00Z", "four"}}) == "one\ntw");

  LogLinePrinter::Options prefix;
  prefix.prefix = "[pod/web-node1/app] ";
  CHECK(Print(prefix, {lines[0], lines[1]}) == "[pod/web-node1/app] one\n[pod/web-node1/app] two\n");
}

TEST_CASE("RFC 3339 times as containerd and kubectl write them", "[cli][logs]") {
  CHECK(ToUnixNanos(At("1970-01-01T00:00:01.5Z")) == 1'500'000'000);
  CHECK(At("2026-01-01T12:00:00+01:30") == At("2026-01-01T10:30:00Z"));
  CHECK_FALSE(ParseRfc3339("2026-01-01 12:00:00Z").has_value());
  CHECK_FALSE(ParseRfc3339("2026-01-01T12:00:00").has_value());
  CHECK_FALSE(ParseRfc3339("2026-01-01T12:00:00.1234567891Z").has_value());
  CHECK(FixedNanos("2026-01-01T12:00:00Z") == "2026-01-01T12:00:00.000000000Z");
  CHECK(FixedNanos("2026-01-01T12:00:00.12+02:00") == "2026-01-01T12:00:00.120000000+02:00");
  CHECK(FixedNanos("garbage") == "garbage");
  // Past the end of 64-bit nanoseconds (2262): still later than any log line, not an overflow into the past.
  CHECK(At("2999-01-01T00:00:00Z") > At("2262-01-01T00:00:00Z"));
  CHECK(At("1000-01-01T00:00:00Z") < At("1970-01-01T00:00:00Z"));
}
