// get pods -w: which successive /pods answers are changes, and the rows and documents kubectl's watch prints.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/pod_table.h"
#include "cli/pod_watch.h"

using namespace crilet;
using nlohmann::json;

namespace {

json Pod(const std::string& name, const std::string& phase, bool ready, int restarts = 0,
         const std::string& uid = "u1", const std::string& last_finished = "") {
  json cs = {{"name", "c"}, {"ready", ready}, {"restartCount", restarts}, {"state", {{"running", {{"startedAt", "2026-12-07T10:00:00Z"}}}}}};
  if (!last_finished.empty()) cs["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", last_finished}}}};
  return {{"metadata", {{"name", name}, {"namespace", "default"}, {"uid", uid}}},
          {"spec", {{"containers", json::array({{{"name", "c"}}})}}},
          {"status", {{"phase", phase}, {"startTime", "2026-12-07T10:00:00Z"}, {"containerStatuses", json::array({cs})}}}};
}

std::vector<std::string> Types(const std::vector<cli::WatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type + " " + e.object["metadata"]["name"].get<std::string>());
  return out;
}

cli::PodWatch TableWatch() {
  cli::TableOptions options;
  return cli::PodWatch([options](const json& p) { return cli::TableFingerprint(p, options); });
}

}  // namespace

TEST_CASE("get -w: the first list is every pod ADDED, then only what changed", "[cli][watch]") {
  cli::PodWatch watch = TableWatch();
  CHECK(Types(watch.Update(json::array({Pod("a", "Pending", false), Pod("b", "Running", true)}))) ==
        std::vector<std::string>{"ADDED a", "ADDED b"});
  CHECK(watch.Update(json::array({Pod("a", "Pending", false), Pod("b", "Running", true)})).empty());
  CHECK(Types(watch.Update(json::array({Pod("a", "Running", true), Pod("b", "Running", true)}))) ==
        std::vector<std::string>{"MODIFIED a"});
  CHECK(Types(watch.Update(json::array({Pod("a", "Running", true)}))) == std::vector<std::string>{"DELETED b"});
  CHECK(Types(watch.Update(json::array({Pod("a", "Running", true, 0, "u2")}))) ==
        std::vector<std::string>{"DELETED a", "ADDED a"});
}

TEST_CASE("get -w: a deleted pod is printed as it was last seen", "[cli][watch]") {
  cli::PodWatch watch = TableWatch();
  watch.Update(json::array({Pod("a", "Running", true)}));
  auto events = watch.Update(json::array());
  REQUIRE(events.size() == 1);
  CHECK(events[0].object["status"]["phase"] == "Running");
}

TEST_CASE("get -w: a table row changes with the pod, not with the clock", "[cli][watch]") {
  cli::TableOptions options;
  const json before = Pod("a", "Running", true, 1, "u1", "2026-12-07T10:01:00Z");
  // The same pod a minute later prints another AGE and "(Nm ago)", but it is the same row as far as a watch goes.
  CHECK(cli::PodTableCells(before, options, *cli::ParseTime("2026-12-07T10:02:00Z")) !=
        cli::PodTableCells(before, options, *cli::ParseTime("2026-12-07T10:03:00Z")));
  CHECK(cli::TableFingerprint(before, options) == cli::TableFingerprint(before, options));
  CHECK(cli::TableFingerprint(before, options) != cli::TableFingerprint(Pod("a", "Running", true, 2, "u1", "2026-12-07T10:01:00Z"), options));
  // A field the row does not show is no change of the row, but is one of the object (-o json prints it).
  json annotated = before;
  annotated["metadata"]["annotations"] = {{"k", "v"}};
  CHECK(cli::TableFingerprint(annotated, options) == cli::TableFingerprint(before, options));
  CHECK(cli::ObjectFingerprint(annotated) != cli::ObjectFingerprint(before));
}

TEST_CASE("get -w: rows line up with the header and a longer cell widens its column for good", "[cli][watch]") {
  cli::WatchFormat format;
  cli::WatchPrinter printer(format);
  const TimePoint now = *cli::ParseTime("2026-12-07T10:00:05Z");
  json waiting = Pod("web", "Pending", false);
  waiting["status"]["containerStatuses"][0]["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
  std::string out = printer.Print({"ADDED", Pod("web", "Pending", false)}, now);
  CHECK(out ==
        "NAME   READY   STATUS    RESTARTS   AGE\n"
        "web    0/1     Pending   0          5s\n");
  CHECK(printer.Print({"MODIFIED", waiting}, now) == "web    0/1     ContainerCreating   0          5s\n");
  CHECK(printer.Print({"MODIFIED", Pod("web", "Running", true)}, now) == "web    1/1     Running             0          5s\n");
}

TEST_CASE("get -w: --output-watch-events, -o name, json and yaml documents", "[cli][watch]") {
  const TimePoint now = *cli::ParseTime("2026-12-07T10:00:05Z");
  const json pod = Pod("web", "Running", true);
  cli::WatchFormat events;
  events.watch_events = true;
  cli::WatchPrinter table(events);
  CHECK(table.Print({"ADDED", pod}, now) ==
        "EVENT   NAME   READY   STATUS    RESTARTS   AGE\n"
        "ADDED   web    1/1     Running   0          5s\n");
  CHECK(table.Print({"DELETED", pod}, now) == "DELETED   web    1/1     Running   0          5s\n");

  cli::WatchFormat name;
  name.output = "name";
  CHECK(cli::WatchPrinter(name).Print({"MODIFIED", pod}, now) == "pod/web\n");

  cli::WatchFormat as_json = events;
  as_json.output = "json";
  json doc = json::parse(cli::WatchPrinter(as_json).Print({"MODIFIED", pod}, now));
  CHECK(doc["type"] == "MODIFIED");
  CHECK(doc["object"] == pod);

  cli::WatchFormat as_yaml;
  as_yaml.output = "yaml";
  cli::WatchPrinter yaml(as_yaml);
  std::string first = yaml.Print({"ADDED", pod}, now);
  std::string second = yaml.Print({"MODIFIED", pod}, now);
  CHECK(first.rfind("---", 0) == std::string::npos);
  CHECK(second.rfind("---\n", 0) == 0);
  CHECK(second.substr(4) == first);
}
