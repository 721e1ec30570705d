// ProbeManager with the fake runtime and 100 ms "seconds": thresholds, gating, removal, slow probes, Stop.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "common/metrics.h"
#include "cri/fake_runtime.h"
#include "probes/probe_manager.h"
#include "probes_test_util.h"
#include "loopback.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::Eventually;
using crilet::testing::ExecProbeSpec;
using crilet::testing::RecordingSink;
using crilet::testing::Since;
using std::chrono::milliseconds;

namespace {

constexpr Result S = Result::kSuccess;
constexpr Result F = Result::kFailure;

// A pod "p" (uid "u1") whose containers run in the fake runtime; exec probe commands are scripted by name:
// exit code per command (default 0, output "unhealthy" otherwise), "hang*" commands block until released.
struct Fixture {
  Fixture() : rt(&clock) {
    rt.AddImage("i");
    rt.RunPodSandbox(sandbox_config, &sandbox);
    rt.exec_handler = [this](const std::string&, const std::vector<std::string>& cmd) {
      int exit_code = 0;
      {
        std::lock_guard<std::mutex> l(mu);
        calls[cmd[0]]++;
        exit_code = exit_codes[cmd[0]];
      }
      if (cmd[0].rfind("hang", 0) == 0) {
        Eventually([&] { return release.load(); }, std::chrono::seconds(5));
      }
      cri::ExecResult r;
      r.exit_code = exit_code;
      if (exit_code != 0) r.stdout_data = "unhealthy";
      return r;
    };
    pod.metadata.uid = "u1";
    pod.metadata.name = "p";
    pod.metadata.namespace_ = "default";
  }
  ~Fixture() { release = true; }

  std::unique_ptr<ProbeManager> Manager(bool jitter = false) {
    ProbeManager::Options o;
    o.jitter = jitter;
    o.time_unit = milliseconds(100);
    auto m = std::make_unique<ProbeManager>(&rt, &clock, &sink, &metrics,
                                            [this](const std::string& uid) {
                                              std::lock_guard<std::mutex> l(agent_mu);  // as the agent would
                                              changes++;
                                              changed_uid = uid;
                                            },
                                            o);
    m->Start();
    return m;
  }
  // Starts a container in the runtime and adds it to the pod spec (once per name).
  std::string Run(manifests::Container c) {
    cri::ContainerConfig cc;
    cc.name = c.name;
    cc.image = "i";
    std::string id;
    rt.CreateContainer(sandbox, cc, sandbox_config, &id);
    rt.StartContainer(id);
    bool known = std::any_of(pod.spec.containers.begin(), pod.spec.containers.end(),
                             [&](const manifests::Container& k) { return k.name == c.name; });
    if (!known) pod.spec.containers.push_back(c);
    return id;
  }
  ProbeTarget Running(const std::string& id, const std::string& name) {
    return ProbeTarget{id, name, true, ToUnixNanos(clock.Now())};
  }
  int Calls(const std::string& cmd) {
    std::lock_guard<std::mutex> l(mu);
    return calls[cmd];
  }
  void SetExit(const std::string& cmd, int code) {
    std::lock_guard<std::mutex> l(mu);
    exit_codes[cmd] = code;
  }
  std::optional<Result> Get(ProbeManager& m, const std::string& id, ProbeType type) {
    auto results = m.Results("u1");
    auto it = results.find(id);
    if (it == results.end()) return std::nullopt;
    return type == ProbeType::kLiveness ? it->second.liveness
           : type == ProbeType::kReadiness ? it->second.readiness
                                           : it->second.startup;
  }

  RealClock clock;
  cri::FakeRuntime rt;
  cri::SandboxConfig sandbox_config;
  std::string sandbox;
  manifests::Pod pod;
  RecordingSink sink;
  Metrics metrics;
  std::mutex agent_mu;
  std::atomic<int> changes{0};
  std::string changed_uid;
  std::atomic<bool> release{false};
  std::mutex mu;  // guards calls and exit_codes
  std::map<std::string, int> calls;
  std::map<std::string, int> exit_codes;
};

manifests::Container WithProbes(const std::string& name, std::optional<manifests::Probe> readiness,
                                std::optional<manifests::Probe> liveness = std::nullopt,
                                std::optional<manifests::Probe> startup = std::nullopt) {
  manifests::Container c;
  c.name = name;
  c.readiness_probe = std::move(readiness);
  c.liveness_probe = std::move(liveness);
  c.startup_probe = std::move(startup);
  return c;
}

}  // namespace

TEST_CASE("manager: results flip after the thresholds, with on_change, events and metrics", "[probes][manager]") {
  Fixture f;
  auto m = f.Manager();
  std::string id = f.Run(WithProbes("app", ExecProbeSpec("ready", 1, 2), ExecProbeSpec("live", 1, 2)));
  {
    std::lock_guard<std::mutex> hold(f.mu);  // the exec handler waits for this, so no probe can finish yet
    m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id, "app")});
    // Kubelet's initial values are there before any probe ran.
    CHECK(f.Get(*m, id, ProbeType::kReadiness) == F);
    CHECK(f.Get(*m, id, ProbeType::kLiveness) == S);
    CHECK_FALSE(f.Get(*m, id, ProbeType::kStartup).has_value());
  }

  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S; }));
  // on_change runs just after the result is published, so it may trail the read above by a moment.
  CHECK(Eventually([&] { return f.changes >= 1; }));
  CHECK(f.changed_uid == "u1");

  f.SetExit("ready", 1);
  f.SetExit("live", 1);
  int changes_before = f.changes;
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kLiveness) == F; }));
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == F; }));
  CHECK(Eventually([&] { return f.changes >= changes_before + 2; }));
  CHECK(f.sink.Has("Warning Unhealthy Liveness probe failed: unhealthy"));
  CHECK(f.sink.Has("Warning Unhealthy Readiness probe failed: unhealthy"));
  {
    std::lock_guard<std::mutex> l(f.sink.mu);
    CHECK(f.sink.events.front().field_path == "spec.containers{app}");
  }
  MetricLabels failed{{"probe_type", "Liveness"}, {"result", "failed"}, {"container", "app"}, {"pod", "p"},
                      {"namespace", "default"}};
  CHECK(f.metrics.Value("crilet_probe_total", failed) == 2);
  CHECK(f.metrics.Value("crilet_probe_total", {{"probe_type", "Readiness"}, {"result", "successful"}, {"container", "app"},
                                                {"pod", "p"}, {"namespace", "default"}}) >= 1);

  // Liveness failed: its worker holds until the container is replaced; readiness keeps probing.
  int live_calls = f.Calls("live");
  int ready_calls = f.Calls("ready");
  std::this_thread::sleep_for(milliseconds(350));
  CHECK(f.Calls("live") == live_calls);
  CHECK(f.Calls("ready") >= ready_calls + 2);
  CHECK(f.metrics.Value("crilet_probe_total", failed) == 2);

  // The agent restarts the container: fresh results for the new ID, probing resumes.
  f.SetExit("live", 0);
  std::string id2 = f.Run(f.pod.spec.containers[0]);
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id2, "app"), ProbeTarget{id, "app", false, 0}});
  auto results = m->Results("u1");
  CHECK(results.count(id) == 0);
  CHECK(results[id2].liveness == S);
  CHECK(results[id2].readiness == F);
  REQUIRE(Eventually([&] { return f.Calls("live") > live_calls; }));
  m->Stop();
}

TEST_CASE("manager: the startup probe holds liveness and readiness back", "[probes][manager]") {
  Fixture f;
  auto m = f.Manager();
  manifests::Probe startup = ExecProbeSpec("startup", 1, 30);
  std::string id = f.Run(WithProbes("app", ExecProbeSpec("ready"), ExecProbeSpec("live"), startup));
  f.SetExit("startup", 1);
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id, "app")});
  CHECK(f.Get(*m, id, ProbeType::kStartup) == Result::kUnknown);
  REQUIRE(Eventually([&] { return f.Calls("startup") >= 3; }));
  CHECK(f.Calls("live") == 0);
  CHECK(f.Calls("ready") == 0);
  CHECK(f.Get(*m, id, ProbeType::kStartup) == Result::kUnknown);  // 2 failures of 30
  CHECK(f.Get(*m, id, ProbeType::kReadiness) == F);

  f.SetExit("startup", 0);
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kStartup) == S; }));
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S && f.Calls("live") > 0; }));
  int startup_calls = f.Calls("startup");
  std::this_thread::sleep_for(milliseconds(250));
  CHECK(f.Calls("startup") == startup_calls);  // startup probing ends once started
}

TEST_CASE("manager: a stopped container fails at once, a vanished one loses its results", "[probes][manager]") {
  Fixture f;
  auto m = f.Manager();
  std::string id = f.Run(WithProbes("app", ExecProbeSpec("ready")));
  {
    // on_change is never called from inside UpdatePod: the agent may hold its lock around it.
    std::lock_guard<std::mutex> agent(f.agent_mu);
    m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id, "app")});
  }
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S; }));
  int changes = f.changes;
  int calls = f.Calls("ready");
  {
    std::lock_guard<std::mutex> agent(f.agent_mu);
    m->UpdatePod(f.pod, "10.88.0.5", {ProbeTarget{id, "app", false, 0}});
  }
  REQUIRE(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == F; }));
  REQUIRE(Eventually([&] { return f.changes > changes; }));
  std::this_thread::sleep_for(milliseconds(250));
  CHECK(f.Calls("ready") <= calls + 1);  // at most a run already under way; none for the stopped container
  CHECK(f.sink.Lines().empty());         // not running is not a probe failure: no event

  m->UpdatePod(f.pod, "10.88.0.5", {});
  CHECK(m->Results("u1").empty());
  std::string id2 = f.Run(f.pod.spec.containers[0]);
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id2, "app")});
  REQUIRE(Eventually([&] { return f.Get(*m, id2, ProbeType::kReadiness) == S; }));
}

TEST_CASE("manager: RemovePod stops probing at once and drops in-flight results", "[probes][manager]") {
  Fixture f;
  auto m = f.Manager();
  std::string slow = f.Run(WithProbes("slow", ExecProbeSpec("hang")));
  std::string fast = f.Run(WithProbes("fast", ExecProbeSpec("ready")));
  f.SetExit("hang", 1);
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(slow, "slow"), f.Running(fast, "fast")});
  REQUIRE(Eventually([&] { return f.Calls("hang") == 1 && f.Get(*m, fast, ProbeType::kReadiness) == S; }));
  m->RemovePod("u1");
  CHECK(m->Results("u1").empty());
  int calls = f.Calls("ready");
  f.release = true;  // the hanging exec returns a failure now, for a pod that is gone
  std::this_thread::sleep_for(milliseconds(400));
  CHECK(f.Calls("ready") <= calls + 1);  // at most the run already dispatched
  CHECK(f.Calls("hang") == 1);
  CHECK_FALSE(f.sink.Has("Warning Unhealthy Readiness probe failed: unhealthy"));
  CHECK(Eventually([&] { return m->WorkerCount() == 0; }));
  CHECK(m->Results("u1").empty());
}

TEST_CASE("manager: a hanging probe does not delay the others", "[probes][manager]") {
  Fixture f;
  ProbeManager::Options o;
  o.jitter = false;
  o.time_unit = milliseconds(100);
  ProbeManager m(&f.rt, &f.clock, &f.sink, &f.metrics, nullptr, o);
  m.Start();
  std::string slow = f.Run(WithProbes("slow", ExecProbeSpec("hang")));
  std::string fast = f.Run(WithProbes("fast", ExecProbeSpec("tick")));
  m.UpdatePod(f.pod, "10.88.0.5", {f.Running(slow, "slow"), f.Running(fast, "fast")});
  REQUIRE(Eventually([&] { return f.Calls("hang") == 1 && f.Calls("tick") >= 1; }));
  int ticks = f.Calls("tick");
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(milliseconds(500));
  CHECK(f.Calls("tick") >= ticks + 4);  // every 100 ms while the other run hangs
  CHECK(f.Calls("hang") == 1);  // its own ticks are skipped while it runs
  auto [p50, p99] = m.StartDelayQuantiles();
  // A run waiting behind the hanging one would start a period (100 ms) late or more. The bounds are loose
  // because CI runs these tests beside integration tests on two cores.
  CHECK(p50 < 0.05);
  CHECK(p99 < 0.25);
  f.release = true;
  m.RemovePod("u1");
  CHECK(Eventually([&] { return m.WorkerCount() == 0; }, std::chrono::seconds(2)));
  CHECK(Since(start) < std::chrono::seconds(3));
  m.Stop();
}

TEST_CASE("manager: Stop cancels in-flight HTTP probes and returns promptly", "[probes][manager]") {
  std::atomic<bool> release{false};
  std::atomic<int> requests{0};
  testing::TestHttpServer server([&](const std::string&, const std::string&) -> std::string {
    requests++;
    Eventually([&] { return release.load(); }, std::chrono::seconds(5));
    return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  });
  Fixture f;
  auto m = f.Manager();
  manifests::Probe http = testing::MakeProbe();
  http.timeout_seconds = 30;
  http.handler.http_get = manifests::HttpGetAction{"/healthz", manifests::IntOrString::Int(server.port()), "", "", {}};
  std::string id = f.Run(WithProbes("web", http));
  m->UpdatePod(f.pod, "127.0.0.1", {f.Running(id, "web")});
  REQUIRE(Eventually([&] { return requests == 1; }));
  auto start = std::chrono::steady_clock::now();
  m->Stop();
  CHECK(Since(start) < milliseconds(200));
  CHECK(f.sink.Lines().empty());  // the cancelled run is not reported
  CHECK(f.changes == 0);
  release = true;
}

TEST_CASE("manager: right after start, first runs are spread over a period", "[probes][manager]") {
  Fixture f;
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> runs;
  f.rt.exec_handler = [&](const std::string&, const std::vector<std::string>&) {
    std::lock_guard<std::mutex> l(mu);
    runs.push_back(std::chrono::steady_clock::now());
    return cri::ExecResult{};
  };
  ProbeManager::Options o;
  o.time_unit = milliseconds(50);  // period 10 => 500 ms
  ProbeManager m(&f.rt, &f.clock, nullptr, nullptr, nullptr, o);
  m.Start();
  auto start = std::chrono::steady_clock::now();
  manifests::Probe p = ExecProbeSpec("check");
  p.period_seconds = 10;
  std::vector<ProbeTarget> targets;
  for (int i = 0; i < 20; ++i) {
    std::string name = "c" + std::to_string(i);
    targets.push_back(f.Running(f.Run(WithProbes(name, p)), name));
  }
  m.UpdatePod(f.pod, "10.88.0.5", targets);
  REQUIRE(Eventually([&] {
    std::lock_guard<std::mutex> l(mu);
    return runs.size() >= 20;
  }));
  std::lock_guard<std::mutex> l(mu);
  auto [first, last] = std::minmax_element(runs.begin(), runs.begin() + 20);
  CHECK(*last - *first > milliseconds(125));       // not all at once
  CHECK(*last - start < milliseconds(500 + 300));  // all within the first period (300 ms for a loaded machine)
  m.Stop();
}

TEST_CASE("manager: runs after the first start on the grid, so those due close together start together", "[probes][manager]") {
  Fixture f;
  std::mutex mu;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> runs;  // by command
  f.rt.exec_handler = [&](const std::string&, const std::vector<std::string>& cmd) {
    std::lock_guard<std::mutex> l(mu);
    runs[cmd[0]].push_back(std::chrono::steady_clock::now());
    return cri::ExecResult{};
  };
  ProbeManager::Options o;
  o.jitter = false;
  o.time_unit = milliseconds(400);  // period 1 => 400 ms
  o.slots_per_unit = 2;             // grid points every 200 ms from the manager's start
  auto start = std::chrono::steady_clock::now();
  ProbeManager m(&f.rt, &f.clock, nullptr, nullptr, nullptr, o);
  m.Start();
  // First runs at once, ~10 ms and ~110 ms after start; both second runs are due at the 600 ms grid point
  // (without the grid they would be 100 ms apart, at 410 and 510 ms).
  std::this_thread::sleep_until(start + milliseconds(10));
  std::string a = f.Run(WithProbes("a", ExecProbeSpec("a")));
  m.UpdatePod(f.pod, "10.88.0.5", {f.Running(a, "a")});
  std::this_thread::sleep_until(start + milliseconds(110));
  std::string b = f.Run(WithProbes("b", ExecProbeSpec("b")));
  m.UpdatePod(f.pod, "10.88.0.5", {f.Running(a, "a"), f.Running(b, "b")});
  REQUIRE(Eventually([&] {
    std::lock_guard<std::mutex> l(mu);
    return runs["a"].size() >= 3 && runs["b"].size() >= 3;
  }));
  m.Stop();
  std::lock_guard<std::mutex> l(mu);
  CHECK(runs["b"][0] - runs["a"][0] > milliseconds(60));  // the first runs were not held back to the grid
  for (size_t i = 1; i < 3; ++i) {
    auto [first, second] = std::minmax(runs["a"][i], runs["b"][i]);
    CHECK(second - first < milliseconds(50));
    // On the grid point (600 ms, then 1000 ms), not before it; late by a loaded machine's wake-up at most.
    CHECK(first - start >= milliseconds(200 + 400 * i));
    CHECK(first - start < milliseconds(200 + 400 * i + 150));
  }
}

TEST_CASE("manager: tcpSocket probes started by the loop publish results and events", "[probes][manager]") {
  int port = 0;
  int listener = crilet::testing::BindLoopback(&port);
  REQUIRE(listen(listener, 16) == 0);
  Fixture f;
  auto m = f.Manager();
  manifests::Probe up = testing::MakeProbe(1, 2);
  up.handler.tcp_socket = manifests::TcpSocketAction{manifests::IntOrString::Int(port), ""};
  manifests::Probe down = up;
  const int closed = crilet::testing::ClosedPort();
  down.handler.tcp_socket->port = manifests::IntOrString::Int(closed);
  std::string id = f.Run(WithProbes("app", up, down));
  m->UpdatePod(f.pod, "127.0.0.1", {f.Running(id, "app")});
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S; }));
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kLiveness) == F; }));  // after 2 failures
  CHECK(f.sink.Has("Warning Unhealthy Liveness probe failed: dial tcp 127.0.0.1:" + std::to_string(closed) +
                   ": connect: connection refused"));
  CHECK(f.metrics.Value("crilet_probe_total", {{"probe_type", "Readiness"},
                                               {"result", "successful"},
                                               {"container", "app"},
                                               {"pod", "p"},
                                               {"namespace", "default"}}) >= 1);
  m->Stop();
  close(listener);
}

TEST_CASE("manager: httpGet probes driven by the loop: results, events, redirects, removal", "[probes][manager]") {
  std::atomic<bool> release{false};
  std::atomic<int> hangs{0};
  testing::TestHttpServer server([&](const std::string& path, const std::string&) -> std::string {
    if (path == "/ok") return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    if (path == "/moved") return "HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n";
    if (path == "/hang") {
      hangs++;
      Eventually([&] { return release.load(); }, std::chrono::seconds(5));
    }
    return "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
  });
  Fixture f;
  auto m = f.Manager();
  auto http = [&](const std::string& path) {
    manifests::Probe p = testing::MakeProbe(1, 2);
    p.handler.http_get = manifests::HttpGetAction{path, manifests::IntOrString::Int(server.port()), "", "", {}};
    return p;
  };
  std::string id = f.Run(WithProbes("web", http("/ok"), http("/fail"), http("/moved")));
  m->UpdatePod(f.pod, "127.0.0.1", {f.Running(id, "web")});
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kStartup) == S; }));  // /moved followed to /ok
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S; }));
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kLiveness) == F; }));  // after 2 failures
  CHECK(f.sink.Has("Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500"));
  CHECK(f.metrics.Value("crilet_probe_total", {{"probe_type", "Readiness"},
                                               {"result", "successful"},
                                               {"container", "web"},
                                               {"pod", "p"},
                                               {"namespace", "default"}}) >= 1);

  // A run waiting for an answer that does not come ends when the pod goes away, without a result or event.
  manifests::Probe slow = http("/hang");
  slow.timeout_seconds = 30;
  f.pod.spec.containers.clear();
  std::string hung = f.Run(WithProbes("slow", slow));
  m->UpdatePod(f.pod, "127.0.0.1", {f.Running(hung, "slow")});
  REQUIRE(Eventually([&] { return hangs == 1; }));
  size_t lines = f.sink.Lines().size();
  auto start = std::chrono::steady_clock::now();
  m->RemovePod("u1");
  CHECK(Eventually([&] { return m->WorkerCount() == 0; }, milliseconds(1000)));
  CHECK(Since(start) < milliseconds(300));  // the loop looks at cancel flags every 50 ms
  CHECK(f.sink.Lines().size() == lines);
  CHECK(m->Results("u1").empty());
  release = true;
  m->Stop();
}

TEST_CASE("manager: exec probes started on the runtime's connection are waited for by the loop", "[probes][manager]") {
  Fixture f;
  auto m = f.Manager();
  f.SetExit("bad", 1);
  manifests::Probe slow = ExecProbeSpec("hang");
  slow.timeout_seconds = 30;
  std::string id = f.Run(WithProbes("app", ExecProbeSpec("good"), ExecProbeSpec("bad", 1, 2), slow));
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(id, "app")});
  // The startup probe hangs: liveness and readiness wait for it, and the run holds no thread.
  REQUIRE(Eventually([&] { return f.Calls("hang") == 1; }));
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(f.Calls("good") == 0);
  CHECK(f.Calls("hang") == 1);  // its ticks are skipped while it runs
  f.release = true;
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kStartup) == S; }));
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kReadiness) == S; }));
  CHECK(Eventually([&] { return f.Get(*m, id, ProbeType::kLiveness) == F; }));
  CHECK(f.sink.Has("Warning Unhealthy Liveness probe failed: unhealthy"));

  // A run in flight ends when the pod goes away, without a result or an event.
  f.release = false;
  manifests::Probe held = ExecProbeSpec("hang");
  held.timeout_seconds = 30;
  f.pod.spec.containers.clear();
  std::string other = f.Run(WithProbes("held", held));
  int before = f.Calls("hang");
  m->UpdatePod(f.pod, "10.88.0.5", {f.Running(other, "held")});
  REQUIRE(Eventually([&] { return f.Calls("hang") == before + 1; }));
  size_t lines = f.sink.Lines().size();
  m->RemovePod("u1");
  CHECK(Eventually([&] { return m->WorkerCount() == 0; }, milliseconds(300)));
  CHECK(f.sink.Lines().size() == lines);
  f.release = true;
  m->Stop();
}

TEST_CASE("kubelet parity: an adopted container's probes start from its checkpointed results", "[probes][manager]") {
  Fixture f;
  manifests::Container c;
  c.name = "app";
  c.startup_probe = ExecProbeSpec("startup");
  c.readiness_probe = ExecProbeSpec("ready");
  std::string adopted = f.Run(c);
  auto m = f.Manager();
  ProbeTarget t = f.Running(adopted, "app");
  t.restored.readiness = S;
  t.restored.startup = S;
  m->UpdatePod(f.pod, "10.88.0.5", {t});
  // Published at once, before any run: the pod stays Ready across the restart.
  CHECK(f.Get(*m, adopted, ProbeType::kReadiness) == S);
  CHECK(f.Get(*m, adopted, ProbeType::kStartup) == S);
  // The startup probe passed before: only readiness runs, and its results move the state from there.
  REQUIRE(Eventually([&] { return f.Calls("ready") >= 2; }));
  CHECK(f.Calls("startup") == 0);
  f.SetExit("ready", 1);
  CHECK(Eventually([&] { return f.Get(*m, adopted, ProbeType::kReadiness) == F; }));

  // A new instance (no checkpointed results) starts from kubelet's initial values.
  manifests::Container d;
  d.name = "fresh";
  d.readiness_probe = ExecProbeSpec("hang-fresh");
  std::string fresh = f.Run(d);
  m->UpdatePod(f.pod, "10.88.0.5", {t, f.Running(fresh, "fresh")});
  CHECK(f.Get(*m, fresh, ProbeType::kReadiness) == F);
}
