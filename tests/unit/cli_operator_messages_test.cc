// Operator-facing messages as kubelet, kubectl and crictl give them: root advice, unhealthy agent, node flags,
// one log line per manifest error, -v levels, and describe's event table.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

#include "agent/events.h"
#include "agent/pod_syncer.h"
#include "cli/event_table.h"
#include "cli/node_identity.h"
#include "cli/pod_table.h"
#include "cli/status_client.h"
#include "common/logging.h"
#include "common/privilege.h"
#include "cri/fake_runtime.h"
#include "manifests/dir_source.h"
#include "manifests/pod_config.h"
#include "syncer_harness.h"
#include "test_pods.h"

using namespace crilet;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Captures what crilet logs, at every level, while it lives.
struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> saved = spdlog::default_logger();
  explicit LogCapture(int verbosity = 0) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(verbosity > 0 ? spdlog::level::debug : spdlog::level::info);
    logger->set_pattern("%L %v");
    spdlog::set_default_logger(logger);
    SetVerbosity(verbosity);
  }
  ~LogCapture() {
    SetVerbosity(0);
    spdlog::set_default_logger(saved);
  }
  std::string Text() {
    spdlog::default_logger()->flush();
    return out.str();
  }
  int Count(const std::string& needle) {
    std::string text = Text();
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
};

using Harness = testing::SyncerHarness;

json Event(const char* type, const char* reason, const std::string& message, const char* first, const char* last,
           int count = 1) {
  return {{"type", type}, {"reason", reason}, {"message", message}, {"count", count},
          {"firstTimestamp", first}, {"lastTimestamp", last}};
}

}  // namespace

TEST_CASE("permission denied as non-root says to run as root, in the same line", "[cli][messages]") {
  CHECK(RootAdvice(EACCES, 1000, "the runtime socket") == "; run as root (e.g. with sudo): the runtime socket is root's");
  CHECK(RootAdvice(EPERM, 1000, "the log directory") == "; run as root (e.g. with sudo): the log directory is root's");
  CHECK(RootAdvice(EACCES, 0, "the runtime socket").empty());  // root refused: the advice would be wrong
  CHECK(RootAdvice(ENOENT, 1000, "the runtime socket").empty());
}

TEST_CASE("get pods: an agent whose /healthz fails makes get fail, saying why", "[cli][messages]") {
  CHECK(cli::HealthzProblem(200, "ok").empty());
  CHECK(cli::HealthzProblem(404, "404 page not found").empty());  // an agent without /healthz: no verdict
  CHECK(cli::HealthzProblem(500, "runtime: cannot reach container runtime at unix:///x: connect: no such file\n") ==
        "runtime: cannot reach container runtime at unix:///x: connect: no such file");
  // kubelet's verbose form
  CHECK(cli::HealthzProblem(500, "[+]ping ok\n[-]syncloop failed: reason withheld\nhealthz check failed\n") ==
        "syncloop failed: reason withheld");
  CHECK(cli::HealthzProblem(503, "") == "/healthz answered 503");
  // nothing listening
  CHECK(cli::AgentHealthProblem(cli::HttpStatusSource("http://127.0.0.1:1")).rfind("cannot reach crilet at http://127.0.0.1:1", 0) == 0);
}

TEST_CASE("kubelet's node name: --hostname-override trimmed and lowercased, --node-ip must parse", "[cli][messages]") {
  std::string name;
  REQUIRE(cli::NodeName(" Node-1.Example ", "host", &name).ok());
  CHECK(name == "node-1.example");
  REQUIRE(cli::NodeName("", "MyHost", &name).ok());
  CHECK(name == "myhost");
  CHECK(cli::NodeName("  ", "host", &name).message() == "--hostname-override: empty hostname is invalid");

  std::string ip;
  REQUIRE(cli::ParseNodeIp("", &ip).ok());
  CHECK(ip.empty());
  REQUIRE(cli::ParseNodeIp("192.0.2.7", &ip).ok());
  CHECK(ip == "192.0.2.7");
  REQUIRE(cli::ParseNodeIp("2001:DB8:0:0::1", &ip).ok());
  CHECK(ip == "2001:db8::1");
  for (const char* bad : {"node1", "192.0.2.300", "10.0.0.1/24", " 10.0.0.1", "10.0.0"}) {
    INFO(bad);
    Status s = cli::ParseNodeIp(bad, &ip);
    CHECK(s.message() == std::string("--node-ip: failed to parse node IP: \"") + bad + "\"");
  }
}

TEST_CASE("static pod names take the lowercased node name", "[cli][messages]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-nodename-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "web.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                                     "  - {name: a, image: busybox}\n";
  std::string node;
  REQUIRE(cli::NodeName("Node1", "host", &node).ok());
  manifests::PodConfig::Options o;
  o.manifest_path = dir.string();
  o.node_name = node;
  o.check_manifest_ownership = false;
  std::vector<manifests::Pod> got;
  RealClock clock;
  manifests::PodConfig config(o, [&](std::vector<manifests::Pod> p) { got = std::move(p); }, &clock);
  REQUIRE(config.Start().ok());
  config.Stop();
  REQUIRE(got.size() == 1);
  CHECK(got[0].metadata.name == "web-node1");
  CHECK(got[0].spec.node_name == "node1");
  fs::remove_all(dir);
}

TEST_CASE("one manifest error is logged once (not as an E line and again as a W line)", "[cli][messages]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-once-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // An error at a metadata.* path: the merge used to log it again, as a warning.
  std::ofstream(dir / "bad.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec:\n  containers:\n"
                                     "  - {name: a, image: busybox}\n";
  std::ofstream(dir / "a.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: twin}\nspec:\n  containers:\n"
                                   "  - {name: a, image: busybox}\n";
  std::ofstream(dir / "b.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: twin}\nspec:\n  containers:\n"
                                   "  - {name: b, image: busybox}\n";
  LogCapture log;
  manifests::PodConfig::Options o;
  o.manifest_path = dir.string();
  o.node_name = "n1";
  o.check_manifest_ownership = false;
  RealClock clock;
  manifests::PodConfig config(o, [](std::vector<manifests::Pod>) {}, &clock);
  REQUIRE(config.Start().ok());
  config.Stop();
  INFO(log.Text());
  CHECK(log.Count("bad.yaml") == 1);
  CHECK(log.Count("E ") == 1);
  CHECK(log.Count("metadata.name") == 2);  // the bad name, and the duplicate twin found by the merge
  CHECK(log.Count("is already declared by") == 1);
  fs::remove_all(dir);
}

TEST_CASE("an invalid edit is one E line that says the last valid version keeps running", "[cli][messages]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-edit-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "web.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                                     "  - {name: a, image: busybox}\n";
  manifests::DirSource::Options o;
  o.path = dir.string();
  o.node_name = "n1";
  o.check_ownership = false;
  std::map<std::string, manifests::FileState> files;
  manifests::DirSource source(o, [&](const std::map<std::string, manifests::FileState>& f) { files = f; });
  source.ScanOnce();
  LogCapture log;
  std::ofstream(dir / "web.yaml") << "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                                     "  - {name: A_, image: busybox}\n";
  source.ScanOnce(true);
  INFO(log.Text());
  CHECK(log.Count("\n") == 1);
  CHECK(log.Count("E ") == 1);
  CHECK(log.Count("spec.containers[0].name") == 1);
  CHECK(log.Count("(keeping the last valid version of this file running)") == 1);
  CHECK(files.begin()->second.pods.size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("kubelet's log levels: -v 2 logs no per-sync detail, -v 4 logs every step of a sync (kubelet's levels)", "[cli][messages]") {
  auto sync_lines = [](int verbosity) {
    Harness h;
    auto pod = testing::MakePod({"app"});
    agent::PodSyncer s(&h.env, &h.store, pod);
    s.Sync(nullptr);  // the start: its events are info lines at every level
    LogCapture log(verbosity);
    for (int i = 0; i < 3; ++i) {
      h.clock.Advance(std::chrono::seconds(1));
      s.Sync(nullptr);  // nothing changes
    }
    return log.Count("\n");
  };
  CHECK(sync_lines(0) == 0);
  CHECK(sync_lines(2) == 0);
  CHECK(sync_lines(4) >= 3);
  SetVerbosity(3);
  CHECK(V(2));
  CHECK(V(3));
  CHECK_FALSE(V(4));
  SetVerbosity(0);
}

TEST_CASE("MissingClusterDNS names crilet and keeps kubelet's reason", "[cli][messages]") {
  Harness h;
  auto pod = testing::MakePod({"app"});  // ClusterFirst without --cluster-dns
  agent::PodSyncer s(&h.env, &h.store, pod);
  s.Sync(nullptr);
  bool found = false;
  for (const auto& e : h.events.Events(pod.metadata.uid)) {
    if (e.reason != "MissingClusterDNS") continue;
    found = true;
    CHECK(e.type == "Warning");
    CHECK(e.message.find("crilet does not have ClusterDNS IP configured") != std::string::npos);
    CHECK(e.message.find("kubelet") == std::string::npos);
  }
  CHECK(found);
}

TEST_CASE("events that differ only in container IDs are one event with a count", "[cli][messages][events]") {
  CHECK(agent::EventKeyMessage("Error: failed to start 3f2a9c81d0e4b5a6 (exit 1)") == "Error: failed to start <id> (exit 1)");
  CHECK(agent::EventKeyMessage("container 3f2a9c81d0e4b5a6f00d1234567890abcdef1234567890abcdef1234567890ab gone") ==
        "container <id> gone");
  CHECK(agent::EventKeyMessage("Started container app") == "Started container app");
  CHECK(agent::EventKeyMessage("decadeface") == "decadeface");  // too short to be an ID
  CHECK(agent::EventKeyMessage("sha-3f2a9c81d0e4b5a6x") == "sha-3f2a9c81d0e4b5a6x");  // inside a word

  FakeClock clock;
  agent::EventRecorder rec(&clock);
  rec.Record("u", "Warning", "Failed", "Error: exec in 3f2a9c81d0e4b5a6aa: not running", "spec.containers{app}");
  clock.Advance(std::chrono::seconds(10));
  rec.Record("u", "Warning", "Failed", "Error: exec in 9b8c7d6e5f4a3b2c11: not running", "spec.containers{app}");
  auto events = rec.Events("u");
  REQUIRE(events.size() == 1);
  CHECK(events[0].count == 2);
  CHECK(events[0].message == "Error: exec in 9b8c7d6e5f4a3b2c11: not running");  // the newest
  CHECK(events[0].last_timestamp - events[0].first_timestamp == std::chrono::seconds(10));
}

TEST_CASE("describe's events: sorted by time, aggregated, in kubectl's aligned table", "[cli][messages][events]") {
  json events = json::array({
      Event("Normal", "Started", "Started container app", "2026-01-01T10:00:05Z", "2026-01-01T10:00:05Z"),
      Event("Normal", "Pulled", "Container image \"busybox\" already present on machine", "2026-01-01T10:00:00Z",
            "2026-01-01T10:09:00Z", 4),
      Event("Warning", "BackOff", "Back-off restarting failed container app", "2026-01-01T10:01:00Z",
            "2026-01-01T10:08:00Z", 5),
      Event("Warning", "Failed", "Error: start 3f2a9c81d0e4b5a6aa: exit 1", "2026-01-01T10:02:00Z", "2026-01-01T10:02:00Z"),
      Event("Warning", "Failed", "Error: start 9b8c7d6e5f4a3b2c11: exit 1", "2026-01-01T10:07:00Z", "2026-01-01T10:07:00Z"),
  });
  auto rows = cli::AggregateEvents(events);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].reason == "Started");
  CHECK(rows[1].reason == "Failed");
  CHECK(rows[1].count == 2);
  CHECK(rows[1].message == "Error: start 9b8c7d6e5f4a3b2c11: exit 1");
  CHECK(rows[2].reason == "BackOff");
  CHECK(rows[3].reason == "Pulled");

  TimePoint now = *cli::ParseTime("2026-01-01T10:10:00Z");
  std::string table = cli::FormatEventTable(rows, now);
  CHECK(table ==
        "Events:\n"
        "  Type     Reason   Age                From    Message\n"
        "  ----     ------   ----               ----    -------\n"
        "  Normal   Started  9m55s              crilet  Started container app\n"
        "  Warning  Failed   3m (x2 over 8m)    crilet  Error: start 9b8c7d6e5f4a3b2c11: exit 1\n"
        "  Warning  BackOff  2m (x5 over 9m)    crilet  Back-off restarting failed container app\n"
        "  Normal   Pulled   60s (x4 over 10m)  crilet  Container image \"busybox\" already present on machine\n");
  CHECK(cli::FormatEventTable({}, now) == "Events:  <none>\n");
}
