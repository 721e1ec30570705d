// Probes: kubelet's threshold state machine, the four handlers against local servers, and the manager.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "cri/fake_runtime.h"
#include "probes/exec_prober.h"
#include "probes/grpc_prober.h"
#include "probes/http_prober.h"
#include "probes/probe_manager.h"
#include "probes/probe_state.h"
#include "probes/tcp_prober.h"
#include "proto/health.grpc.pb.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::TestHttpServer;

namespace {

std::string Response(int code, const std::string& extra = "", const std::string& body = "ok") {
  return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "Connection: close\r\n\r\n" + body;
}

int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);  // nothing listens there now
  return ntohs(a.sin_port);
}

manifests::Probe MakeProbe(int success = 1, int failure = 3, int delay = 0) {
  manifests::Probe p;
  p.success_threshold = success;
  p.failure_threshold = failure;
  p.initial_delay_seconds = delay;
  p.period_seconds = 1;
  p.timeout_seconds = 1;
  return p;
}

}  // namespace

TEST_CASE("probe thresholds flip results like kubelet's worker", "[probes][state]") {
  auto spec = MakeProbe(2, 3);
  ProbeState s;
  NewContainer(&s, ProbeType::kReadiness, "c1");
  CHECK(s.published == Result::kFailure);  // readiness starts unready
  CHECK_FALSE(Fold(&s, ProbeType::kReadiness, spec, Result::kSuccess));
  CHECK(Fold(&s, ProbeType::kReadiness, spec, Result::kSuccess));  // 2 successes
  CHECK(s.published == Result::kSuccess);
  CHECK_FALSE(Fold(&s, ProbeType::kReadiness, spec, Result::kFailure));
  CHECK_FALSE(Fold(&s, ProbeType::kReadiness, spec, Result::kFailure));
  CHECK_FALSE(Fold(&s, ProbeType::kReadiness, spec, Result::kSuccess));  // the run resets
  CHECK(s.published == Result::kSuccess);
  for (int i = 0; i < 2; ++i) Fold(&s, ProbeType::kReadiness, spec, Result::kFailure);
  CHECK(Fold(&s, ProbeType::kReadiness, spec, Result::kFailure));
  CHECK(s.published == Result::kFailure);
  CHECK_FALSE(s.on_hold);  // readiness never holds

  ProbeState l;
  NewContainer(&l, ProbeType::kLiveness, "c1");
  CHECK(l.published == Result::kSuccess);
  auto live = MakeProbe(1, 2);
  Fold(&l, ProbeType::kLiveness, live, Result::kFailure);
  CHECK(Fold(&l, ProbeType::kLiveness, live, Result::kFailure));
  CHECK(l.on_hold);  // until the container is replaced
  NewContainer(&l, ProbeType::kLiveness, "c2");
  CHECK_FALSE(l.on_hold);
  CHECK(l.published == Result::kSuccess);

  ProbeState st;
  NewContainer(&st, ProbeType::kStartup, "c1");
  CHECK(st.published == Result::kUnknown);
}

TEST_CASE("probe gates: initial delay, startup before liveness/readiness, not running", "[probes][state]") {
  FakeClock clock;
  auto spec = MakeProbe(1, 3, 5);
  ProbeState s;
  NewContainer(&s, ProbeType::kLiveness, "c1");
  int64_t started = ToUnixNanos(clock.Now());
  TickInput in{ProbeType::kLiveness, &spec, true, started, true, clock.Now()};
  CHECK(Decide(s, in) == TickAction::kSkip);  // before initialDelaySeconds
  clock.Advance(std::chrono::seconds(5));
  in.now = clock.Now();
  CHECK(Decide(s, in) == TickAction::kProbe);
  in.started = false;
  CHECK(Decide(s, in) == TickAction::kSkip);  // liveness waits for the startup probe
  in.type = ProbeType::kStartup;
  CHECK(Decide(s, in) == TickAction::kProbe);
  in.started = true;
  CHECK(Decide(s, in) == TickAction::kSkip);  // startup probing stops once started
  in.running = false;
  CHECK(Decide(s, in) == TickAction::kFailNotRunning);
  s.on_hold = true;
  CHECK(Decide(s, in) == TickAction::kSkip);
}

TEST_CASE("HTTP probe: status ranges, headers, redirects, timeouts", "[probes][http]") {
  std::atomic<int> hits{0};
  TestHttpServer server([&](const std::string& path, const std::string&) -> std::string {
    hits++;
    if (path == "/ok") return Response(200);
    if (path == "/fail") return Response(500);
    if (path == "/moved") return Response(302, "Location: /ok\r\n");
    if (path == "/away") return Response(301, "Location: http://127.0.0.2:1/elsewhere\r\n");
    if (path == "/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return Response(200);
    }
    return Response(404);
  });
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpRequest req;
  req.url = base + "/ok";
  auto ok = HttpProbe(req);
  CHECK(ok.result == Result::kSuccess);
  std::string sent = server.last_request();
  CHECK(sent.find("User-Agent: kube-probe/1.33\r\n") != std::string::npos);
  CHECK(sent.find("Accept: */*\r\n") != std::string::npos);

  req.url = base + "/fail";
  auto fail = HttpProbe(req);
  CHECK(fail.result == Result::kFailure);
  CHECK(fail.output == "HTTP probe failed with statuscode: 500");

  req.url = base + "/moved";
  auto moved = HttpProbe(req);
  CHECK(moved.result == Result::kSuccess);
  CHECK_FALSE(moved.warning);  // same host: followed to /ok

  int before = hits;
  req.url = base + "/away";
  auto away = HttpProbe(req);
  CHECK(away.result == Result::kSuccess);
  CHECK(away.warning);  // another host: not followed
  CHECK(hits == before + 1);

  req.url = base + "/ok";
  req.headers = {{"Host", "example.test"}, {"User-Agent", "mine"}, {"Accept", ""}, {"X-Empty", ""}};
  HttpProbe(req);
  sent = server.last_request();
  CHECK(sent.find("Host: example.test\r\n") != std::string::npos);
  CHECK(sent.find("User-Agent: mine\r\n") != std::string::npos);
  CHECK(sent.find("kube-probe") == std::string::npos);
  CHECK(sent.find("Accept:") == std::string::npos);  // an empty Accept removes it
  CHECK(sent.find("X-Empty:") != std::string::npos);

  req.headers.clear();
  req.url = base + "/slow";
  req.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto slow = HttpProbe(req);
  CHECK(slow.result == Result::kFailure);
  CHECK(slow.output.find("context deadline exceeded") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));

  req.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  auto refused = HttpProbe(req);
  CHECK(refused.result == Result::kFailure);
  CHECK(refused.output.rfind("Get \"http://127.0.0.1:", 0) == 0);
}

TEST_CASE("TCP probe: listening, closed port", "[probes][tcp]") {
  TestHttpServer server([](const std::string&, const std::string&) { return std::string(); });
  CHECK(TcpProbe("127.0.0.1", server.port(), std::chrono::seconds(1)).result == Result::kSuccess);
  int closed = ClosedPort();
  auto r = TcpProbe("127.0.0.1", closed, std::chrono::seconds(1));
  CHECK(r.result == Result::kFailure);
  CHECK(r.output == "dial tcp 127.0.0.1:" + std::to_string(closed) + ": connect: Connection refused");
}

TEST_CASE("exec probe: exit codes, timeouts, errors, $(VAR) from literal env", "[probes][exec]") {
  FakeClock clock;
  cri::FakeRuntime rt(&clock);
  rt.AddImage("i");
  std::string sb, id;
  cri::SandboxConfig sc;
  rt.RunPodSandbox(sc, &sb);
  cri::ContainerConfig cc;
  cc.name = "c";
  cc.image = "i";
  rt.CreateContainer(sb, cc, sc, &id);
  rt.StartContainer(id);
  std::vector<std::string> seen;
  rt.exec_handler = [&](const std::string&, const std::vector<std::string>& cmd) {
    seen = cmd;
    cri::ExecResult r;
    r.exit_code = cmd.back() == "ok" ? 0 : 1;
    r.stdout_data = cmd.back() == "ok" ? "" : "not ready yet\n";
    return r;
  };
  CHECK(ExecProbe(&rt, id, {"check", "ok"}, std::chrono::seconds(1)).result == Result::kSuccess);
  auto bad = ExecProbe(&rt, id, {"check", "bad"}, std::chrono::seconds(1));
  CHECK(bad.result == Result::kFailure);
  CHECK(bad.output == "not ready yet\n");
  rt.InjectError("ExecSync", Status::DeadlineExceeded("ExecSync: deadline exceeded"));
  auto slow = ExecProbe(&rt, id, {"sleep", "10"}, std::chrono::seconds(1));
  CHECK(slow.result == Result::kFailure);
  CHECK(slow.output == "command \"sleep 10\" timed out");
  rt.ExitContainer(id, 0);
  CHECK(ExecProbe(&rt, id, {"check", "ok"}, std::chrono::seconds(1)).error);

  manifests::Container c;
  manifests::EnvVar lit;
  lit.name = "PORT";
  lit.value = "8080";
  manifests::EnvVar ref;
  ref.name = "IP";
  ref.field_ref = manifests::ObjectFieldSelector{"v1", "status.podIP"};
  c.env = {lit, ref};
  CHECK(ExpandProbeCommand({"wget", "localhost:$(PORT)", "$(IP)"}, c) ==
        std::vector<std::string>{"wget", "localhost:8080", "$(IP)"});
}

namespace {

class HealthService : public grpc::health::v1::Health::Service {
 public:
  std::atomic<int> status{grpc::health::v1::HealthCheckResponse::SERVING};
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::health::v1::HealthCheckResponse* resp) override {
    if (req->service() == "missing") return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    resp->set_status(static_cast<grpc::health::v1::HealthCheckResponse::ServingStatus>(status.load()));
    return grpc::Status::OK;
  }
};

}  // namespace

TEST_CASE("gRPC probe: SERVING, NOT_SERVING, unknown service, nothing listening", "[probes][grpc]") {
  HealthService service;
  int port = 0;
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(&service);
  auto server = b.BuildAndStart();
  REQUIRE(port > 0);
  CHECK(GrpcProbe("127.0.0.1", port, "", std::chrono::seconds(1)).result == Result::kSuccess);
  service.status = grpc::health::v1::HealthCheckResponse::NOT_SERVING;
  auto down = GrpcProbe("127.0.0.1", port, "", std::chrono::seconds(1));
  CHECK(down.result == Result::kFailure);
  CHECK(down.output == "service unhealthy (responded with \"NOT_SERVING\")");
  CHECK(GrpcProbe("127.0.0.1", port, "missing", std::chrono::seconds(1)).result == Result::kFailure);
  server->Shutdown();
  auto none = GrpcProbe("127.0.0.1", ClosedPort(), "", std::chrono::milliseconds(300));
  CHECK(none.result == Result::kFailure);
  CHECK(none.output.rfind("timeout: failed to connect service", 0) == 0);
}

namespace {

struct RecordingSink : EventSink {
  std::mutex mu;
  std::vector<std::string> events;
  void Record(const std::string&, const std::string& type, const std::string& reason, const std::string& message,
              const std::string&) override {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(type + " " + reason + " " + message);
  }
  bool Has(const std::string& needle) {
    std::lock_guard<std::mutex> l(mu);
    for (const auto& e : events) {
      if (e.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

bool Eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

}  // namespace

TEST_CASE("the probe manager runs probes, publishes results, records events and stops at once", "[probes][manager]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  RecordingSink sink;
  Metrics metrics;
  std::atomic<int> changes{0};
  std::atomic<bool> healthy{true};
  std::atomic<int> execs{0};
  rt.exec_handler = [&](const std::string&, const std::vector<std::string>& cmd) {
    execs++;
    cri::ExecResult r;
    if (cmd[0] == "hang") std::this_thread::sleep_for(std::chrono::milliseconds(900));
    r.exit_code = healthy ? 0 : 1;
    r.stdout_data = healthy ? "" : "unhealthy";
    return r;
  };
  rt.AddImage("i");
  std::string sb;
  cri::SandboxConfig sc;
  rt.RunPodSandbox(sc, &sb);
  auto start = [&](const std::string& name) {
    cri::ContainerConfig cc;
    cc.name = name;
    cc.image = "i";
    std::string id;
    rt.CreateContainer(sb, cc, sc, &id);
    rt.StartContainer(id);
    return id;
  };
  std::string id = start("app");
  std::string hang_id = start("hang");

  manifests::Pod pod;
  pod.metadata.uid = "u1";
  pod.metadata.name = "p";
  pod.metadata.namespace_ = "default";
  manifests::Container app;
  app.name = "app";
  manifests::Probe live = MakeProbe(1, 2);
  live.handler.exec = manifests::ExecAction{{"check"}};
  app.liveness_probe = live;
  manifests::Probe ready = MakeProbe(1, 1);
  ready.handler.exec = manifests::ExecAction{{"check"}};
  app.readiness_probe = ready;
  manifests::Container hang;
  hang.name = "hang";
  manifests::Probe slow = MakeProbe(1, 3);
  slow.handler.exec = manifests::ExecAction{{"hang"}};
  hang.readiness_probe = slow;
  pod.spec.containers = {app, hang};

  ProbeManager::Options o;
  o.pool_size = 2;
  ProbeManager m(&rt, &clock, &sink, &metrics, [&](const std::string&) { changes++; }, o);
  m.Start();
  int64_t now_ns = ToUnixNanos(clock.Now()) - 5'000'000'000;  // started 5s ago: past any jitter window? no: crilet just started
  m.UpdatePod(pod, "10.0.0.1", {ProbeTarget{id, "app", true, now_ns}, ProbeTarget{hang_id, "hang", true, now_ns}});
  auto results = m.Results("u1");
  REQUIRE(results.count(id));
  CHECK(results[id].readiness == Result::kFailure);  // initial values before any probe
  CHECK(results[id].liveness == Result::kSuccess);

  REQUIRE(Eventually([&] { return m.Results("u1")[id].readiness == Result::kSuccess; }, std::chrono::seconds(3)));
  CHECK(changes > 0);
  healthy = false;
  REQUIRE(Eventually([&] { return m.Results("u1")[id].liveness == Result::kFailure; }, std::chrono::seconds(5)));
  CHECK(m.Results("u1")[id].readiness == Result::kFailure);
  CHECK(sink.Has("Warning Unhealthy Liveness probe failed: unhealthy"));
  CHECK(sink.Has("Warning Unhealthy Readiness probe failed: unhealthy"));
  CHECK(metrics.Value("crilet_probe_total", {{"probe_type", "Liveness"}, {"result", "failure"}, {"container", "app"},
                                              {"pod", "p"}, {"namespace", "default"}}) >= 2);

  // The hanging probe (900 ms, in a 2-thread pool) did not stop the others from running every period.
  uint64_t before = m.ProbesRun();
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK(m.ProbesRun() - before >= 4);

  // Removal stops probing at once: no new ExecSync after in-flight runs end.
  m.RemovePod("u1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  int after_remove = execs;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(execs == after_remove);
  CHECK(m.Results("u1").empty());
  CHECK(m.WorkerCount() == 0);
  m.Stop();
}
