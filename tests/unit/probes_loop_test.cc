// The probe manager's one loop under load: a name server that never answers, and 500 probes due in one slot.
#include <catch2/catch.hpp>

#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "cri/fake_runtime.h"
#include "probes/probe_manager.h"
#include "probes_test_util.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::Eventually;
using crilet::testing::RecordingSink;
using std::chrono::milliseconds;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;  // instrumented code runs several times slower
#else
constexpr bool kSanitized = false;
#endif


// One pod "u1" whose containers each carry one readiness probe; no runtime calls are needed for them.
struct LoopFixture {
  LoopFixture() : rt(&clock) {
    pod.metadata.uid = "u1";
    pod.metadata.name = "p";
    pod.metadata.namespace_ = "default";
  }
  std::unique_ptr<ProbeManager> Manager(Duration time_unit, int slots_per_unit) {
    ProbeManager::Options o;
    o.jitter = false;
    o.time_unit = time_unit;
    o.slots_per_unit = slots_per_unit;
    auto m = std::make_unique<ProbeManager>(&rt, &clock, &sink, &metrics, nullptr, o);
    m->Start();
    return m;
  }
  // Adds a container with this readiness probe; returns its target (a made-up ID: nothing is exec'd).
  ProbeTarget Add(const std::string& name, manifests::Probe readiness) {
    manifests::Container c;
    c.name = name;
    c.readiness_probe = std::move(readiness);
    pod.spec.containers.push_back(c);
    return ProbeTarget{"id-" + name, name, true, ToUnixNanos(clock.Now())};
  }
  std::optional<Result> Readiness(ProbeManager& m, const std::string& name) {
    auto results = m.Results("u1");
    auto it = results.find("id-" + name);
    if (it == results.end()) return std::nullopt;
    return it->second.readiness;
  }

  RealClock clock;
  cri::FakeRuntime rt;
  manifests::Pod pod;
  RecordingSink sink;
  Metrics metrics;
};

manifests::Probe HttpProbeTo(const std::string& host, int port, const std::string& path) {
  manifests::Probe p = testing::MakeProbe(1, 1);
  p.handler.http_get = manifests::HttpGetAction{path, manifests::IntOrString::Int(port), host, "", {}};
  return p;
}

// n listening sockets on 127.0.0.1 and a thread that accepts (and closes) on all of them, counting per socket.
class Listeners {
 public:
  explicit Listeners(int n) : counts_(static_cast<size_t>(n)) {
    for (int i = 0; i < n; ++i) {
      int port = 0;
      int fd = testing::BindLoopback(&port);
      listen(fd, 64);
      fds_.push_back(pollfd{fd, POLLIN, 0});
      ports_.push_back(port);
    }
    thread_ = std::thread([this] {
      while (!stop_) {
        if (poll(fds_.data(), fds_.size(), 20) <= 0) continue;
        for (size_t i = 0; i < fds_.size(); ++i) {
          if (!(fds_[i].revents & POLLIN)) continue;
          int c = accept(fds_[i].fd, nullptr, nullptr);
          if (c < 0) continue;
          close(c);
          counts_[i]++;
        }
      }
    });
  }
  ~Listeners() {
    stop_ = true;
    thread_.join();
    for (const pollfd& p : fds_) close(p.fd);
  }
  int port(size_t i) const { return ports_[i]; }
  int count(size_t i) const { return counts_[i].load(); }

 private:
  std::vector<pollfd> fds_;
  std::vector<int> ports_;
  std::vector<std::atomic<int>> counts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("loop: 500 probes due in the same 100 ms slot all run, every slot, and their results are booked",
          "[probes][manager][loop]") {
  constexpr int kProbes = 500;
  Listeners listeners(kProbes);
  LoopFixture f;
  std::vector<ProbeTarget> targets;
  for (int i = 0; i < kProbes; ++i) {
    manifests::Probe p = testing::MakeProbe(1, 1);
    p.handler.tcp_socket = manifests::TcpSocketAction{manifests::IntOrString::Int(listeners.port(i)), ""};
    targets.push_back(f.Add("c" + std::to_string(i), p));
  }
  // Period 1 = 200 ms, on a grid of 100 ms slots: after the first runs (all at once, from one UpdatePod)
  // every run of the 500 is due on the same grid point. Under ASan starting 500 connects takes about half a
  // second, so the period there is 1 s: the check below stays "no run started a period late".
  const milliseconds period = kSanitized ? milliseconds(1000) : milliseconds(200);
  const auto patience = kSanitized ? std::chrono::seconds(20) : std::chrono::seconds(5);
  auto m = f.Manager(period, 2);
  m->UpdatePod(f.pod, "127.0.0.1", targets);
  REQUIRE(Eventually(
      [&] {
        for (int i = 0; i < kProbes; ++i) {
          if (f.Readiness(*m, "c" + std::to_string(i)) != Result::kSuccess) return false;
        }
        return true;
      },
      patience));
  std::vector<int> before(kProbes);
  for (int i = 0; i < kProbes; ++i) before[i] = listeners.count(i);
  // Five more slots: every probe connected in each of them, none was left behind.
  CHECK(Eventually(
      [&] {
        for (int i = 0; i < kProbes; ++i) {
          if (listeners.count(i) < before[i] + 5) return false;
        }
        return true;
      },
      patience));
  // No run started a period late: a tick is skipped only when the last run is still going. (The median is
  // not checked: starting 500 connects takes a loaded 2-core machine tens of milliseconds.)
  CHECK(m->StartDelayQuantiles().second < std::chrono::duration<double>(period).count());
  CHECK(m->ProbesRun() >= 6u * kProbes);
  CHECK(f.sink.Lines().empty());  // no failure among them
  m->Stop();
}

// Hidden: needs a name server that never answers. tests/unit/slow_dns.sh runs it in its own mount and
// network namespaces, with /etc/resolv.conf naming 127.0.0.1, where this test holds UDP port 53 silent.
TEST_CASE("loop: a probe whose host name lookup stalls times out and delays no other probe", "[.slowdns]") {
  int dns = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(53);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(dns, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  std::atomic<int> fast{0};
  testing::TestHttpServer server([&](const std::string&, const std::string&) -> std::string {
    fast++;
    return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  });
  LoopFixture f;
  ProbeTarget slow = f.Add("slow", HttpProbeTo("slow-name.test", server.port(), "/"));
  ProbeTarget quick = f.Add("quick", HttpProbeTo("127.0.0.1", server.port(), "/ok"));
  auto m = f.Manager(milliseconds(100), 1);  // period 100 ms; the slow probe's timeout is 1 s
  const auto start = std::chrono::steady_clock::now();
  m->UpdatePod(f.pod, "127.0.0.1", {slow, quick});
  // While the lookup hangs (glibc would wait 5 s per try), the other probe runs every 100 ms.
  REQUIRE(Eventually([&] { return fast >= 8; }, std::chrono::seconds(2)));
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1500));
  const std::string timeout = "Readiness probe failed: Get \"http://slow-name.test:" + std::to_string(server.port()) +
                              "/\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
  CHECK(Eventually([&] { return f.sink.Has("Warning Unhealthy " + timeout); }, std::chrono::seconds(3)));
  CHECK(f.Readiness(*m, "quick") == Result::kSuccess);
  auto [p50, p99] = m->StartDelayQuantiles();
  CHECK(p99 < 0.1);
  m->Stop();
  close(dns);
}

TEST_CASE("loop: a grpc probe whose server never answers times out and delays no other probe", "[probes][manager][loop][grpc]") {
  int silent = 0;
  int lfd = testing::BindLoopback(&silent);
  listen(lfd, 16);  // the kernel completes the TCP handshake; no HTTP/2 ever comes back
  std::atomic<int> fast{0};
  testing::TestHttpServer server([&](const std::string&, const std::string&) -> std::string {
    fast++;
    return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  });
  LoopFixture f;
  manifests::Probe grpc = testing::MakeProbe(1, 1);  // timeout 1 s
  grpc.handler.grpc = manifests::GrpcAction{silent, std::nullopt};
  ProbeTarget slow = f.Add("grpc", grpc);
  ProbeTarget quick = f.Add("quick", HttpProbeTo("127.0.0.1", server.port(), "/ok"));
  auto m = f.Manager(milliseconds(100), 1);
  const auto start = std::chrono::steady_clock::now();
  m->UpdatePod(f.pod, "127.0.0.1", {slow, quick});
  REQUIRE(Eventually([&] { return fast >= 8; }, std::chrono::seconds(2)));
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1500));
  CHECK(Eventually([&] { return f.sink.Has("Warning Unhealthy Readiness probe failed: timeout: failed to connect service \"127.0.0.1:" +
                                           std::to_string(silent) + "\" within 1s: context deadline exceeded"); },
                   std::chrono::seconds(3)));
  m->Stop();
  close(lfd);
}

TEST_CASE("loop: an httpGet hook's request is made on the loop, and answered at once after Stop", "[probes][manager][loop]") {
  std::atomic<int> requests{0};
  testing::TestHttpServer server([&](const std::string&, const std::string&) -> std::string {
    requests++;
    return "HTTP/1.1 204 No Content\r\n\r\n";
  });
  LoopFixture f;
  auto m = f.Manager(milliseconds(100), 1);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/pre-stop";
  req.user_agent = kLifecycleUserAgent;
  req.timeout = std::chrono::seconds(2);
  HttpResponse r = m->HttpGet(req).get();
  CHECK(r.status == 204);
  CHECK(r.transport_error.empty());
  CHECK(server.last_request().find("User-Agent: kube-lifecycle/1.33\r\n") != std::string::npos);
  req.url = "http://127.0.0.1:" + std::to_string(testing::ClosedPort()) + "/";
  r = m->HttpGet(req).get();
  CHECK(r.status == 0);
  CHECK(r.transport_error.find("connect: connection refused") != std::string::npos);
  m->Stop();
  auto answer = m->HttpGet(req);
  REQUIRE(answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(answer.get().transport_error == "Get \"" + req.url + "\": context canceled");
  CHECK(requests == 1);
}
