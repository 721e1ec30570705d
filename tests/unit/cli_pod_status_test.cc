// kubectl get's READY, STATUS and RESTARTS columns for pods: table-driven, after kubectl's printPod cases.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/pod_table.h"

using namespace crilet;
using nlohmann::json;

namespace {

json Running(bool ready = true, int restarts = 0) {
  return {{"name", "c"}, {"ready", ready}, {"started", true}, {"restartCount", restarts},
          {"state", {{"running", {{"startedAt", "2026-12-07T10:00:00Z"}}}}}};
}
json Waiting(const std::string& reason, int restarts = 0) {
  return {{"name", "c"}, {"ready", false}, {"restartCount", restarts}, {"state", {{"waiting", {{"reason", reason}}}}}};
}
json Terminated(int code, const std::string& reason = "", int signal = 0) {
  json t = {{"exitCode", code}};
  if (!reason.empty()) t["reason"] = reason;
  if (signal) t["signal"] = signal;
  return {{"name", "c"}, {"ready", false}, {"restartCount", 0}, {"state", {{"terminated", t}}}};
}
json Named(json cs, const std::string& name) {
  cs["name"] = name;
  return cs;
}

struct Case {
  const char* what;
  json pod;
  const char* ready;
  const char* status;
  const char* restarts;
};

json Pod(const std::string& phase, std::vector<json> containers, std::vector<json> inits = {},
         std::vector<std::string> init_specs = {}, std::vector<std::string> sidecars = {}, json conditions = json::array()) {
  json spec_containers = json::array();
  for (const auto& c : containers) spec_containers.push_back({{"name", c["name"]}});
  json spec_inits = json::array();
  for (const auto& n : init_specs) spec_inits.push_back({{"name", n}});
  for (const auto& n : sidecars) spec_inits.push_back({{"name", n}, {"restartPolicy", "Always"}});
  return {{"metadata", {{"name", "p"}}},
          {"spec", {{"containers", spec_containers}, {"initContainers", spec_inits}}},
          {"status",
           {{"phase", phase}, {"containerStatuses", containers}, {"initContainerStatuses", inits}, {"conditions", conditions}}}};
}

json Condition(const char* type, bool status) { return {{"type", type}, {"status", status ? "True" : "False"}}; }

}  // namespace

TEST_CASE("kubectl parity: the STATUS, READY and RESTARTS of get pods", "[cli][status]") {
  const TimePoint now = *cli::ParseTime("2026-12-07T10:10:00Z");
  std::vector<Case> cases = {
      {"one ready of two, restarts summed", Pod("Running", {Running(true, 3), Named(Waiting("", 3), "d")}), "1/2", "Running", "6"},
      {"a waiting reason wins", Pod("Pending", {Waiting("ContainerCreating")}), "0/1", "ContainerCreating", "0"},
      {"image pull errors", Pod("Pending", {Waiting("ErrImagePull")}), "0/1", "ErrImagePull", "0"},
      {"crash loop", Pod("Running", {Waiting("CrashLoopBackOff", 4)}), "0/1", "CrashLoopBackOff", "4"},
      {"terminated reason", Pod("Succeeded", {Terminated(0, "Completed")}), "0/1", "Completed", "0"},
      {"terminated by a signal, no reason", Pod("Failed", {Terminated(137, "", 9)}), "0/1", "Signal:9", "0"},
      {"terminated with a code, no reason", Pod("Failed", {Terminated(2)}), "0/1", "ExitCode:2", "0"},
      {"Completed beside a running ready container, pod Ready",
       Pod("Running", {Named(Terminated(0, "Completed"), "a"), Named(Running(), "b")}, {}, {}, {}, {Condition("Ready", true)}),
       "1/2", "Running", "0"},
      {"Completed beside a running container, pod not Ready",
       Pod("Running", {Named(Terminated(0, "Completed"), "a"), Named(Running(), "b")}, {}, {}, {}, {Condition("Ready", false)}),
       "1/2", "NotReady", "0"},
      {"second of two init containers running",
       Pod("Pending", {Waiting("PodInitializing")}, {Named(Terminated(0, "Completed"), "i1"), Named(Running(), "i2")}, {"i1", "i2"}),
       "0/1", "Init:1/2", "0"},
      {"init container crash-looping, its restarts counted",
       Pod("Pending", {Waiting("PodInitializing")}, {Named(Waiting("CrashLoopBackOff", 5), "i1")}, {"i1"}), "0/1",
       "Init:CrashLoopBackOff", "5"},
      {"init container failed", Pod("Failed", {Waiting("PodInitializing")}, {Named(Terminated(1, "Error"), "i1")}, {"i1"}), "0/1",
       "Init:Error", "0"},
      {"init container killed, no reason", Pod("Failed", {Waiting("PodInitializing")}, {Named(Terminated(137, "", 9), "i1")}, {"i1"}),
       "0/1", "Init:Signal:9", "0"},
      {"a started ready sidecar counts in READY",
       Pod("Running", {Running()}, {Named(Running(true, 0), "side")}, {}, {"side"}, {Condition("Initialized", true)}), "2/2",
       "Running", "0"},
      {"after init, init restarts no longer count, a sidecar's do",
       Pod("Running", {Running(true, 1)},
           {Named(json{{"name", "i1"}, {"restartCount", 2}, {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}, "i1"),
            Named(Running(true, 3), "side")},
           {"i1"}, {"side"}, {Condition("Initialized", true)}),
       "2/2", "Running", "4"},
      {"a sidecar not started yet holds initialization",
       Pod("Pending", {Waiting("PodInitializing")}, {Named(json{{"name", "side"}, {"ready", false}, {"started", false}, {"restartCount", 0},
                                                              {"state", {{"running", json::object()}}}}, "side")},
           {}, {"side"}),
       "0/2", "Init:0/1", "0"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    cli::PodRow row = cli::MakePodRow(c.pod, now);
    CHECK(row.ready == c.ready);
    CHECK(row.status == c.status);
    CHECK(row.restarts == c.restarts);
  }
}

TEST_CASE("kubectl parity: RESTARTS says when the last restart was", "[cli][status]") {
  const TimePoint now = *cli::ParseTime("2026-12-07T10:10:00Z");
  json cs = Running(true, 2);
  cs["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2026-12-07T10:08:00Z"}}}};
  CHECK(cli::MakePodRow(Pod("Running", {cs}), now).restarts == "2 (2m ago)");
}
