// tcpSocket probes against loopback sockets.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <atomic>
#include <thread>

#include "probes/tcp_prober.h"
#include "probes_test_util.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::ClosedPort;
using crilet::testing::Since;

namespace {

// A listening socket that never accepts; `backlog_full` also fills its queue so new connects stall.
struct Listener {
  explicit Listener(bool backlog_full = false) {
    fd = crilet::testing::BindLoopback(&port);
    listen(fd, backlog_full ? 0 : 16);
    if (backlog_full) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(port));
      for (int i = 0; i < 4; ++i) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
        fillers.push_back(c);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~Listener() {
    for (int c : fillers) close(c);
    close(fd);
  }
  int fd = -1;
  int port = 0;
  std::vector<int> fillers;
};

}  // namespace

TEST_CASE("TCP probe: listening port, closed port, bad port", "[probes][tcp]") {
  Listener l;
  auto ok = TcpProbe("127.0.0.1", l.port, std::chrono::seconds(1));
  CHECK(ok.result == Result::kSuccess);
  CHECK(ok.output.empty());
  CHECK(TcpProbe("localhost", l.port, std::chrono::seconds(1)).result == Result::kSuccess);  // a name is resolved

  int closed = ClosedPort();
  auto refused = TcpProbe("127.0.0.1", closed, std::chrono::seconds(1));
  CHECK(refused.result == Result::kFailure);
  CHECK(refused.output == "dial tcp 127.0.0.1:" + std::to_string(closed) + ": connect: connection refused");

  auto bad = TcpProbe("127.0.0.1", 70000, std::chrono::seconds(1));
  CHECK(bad.error);
}

TEST_CASE("TCP probe: a connect that stalls times out, or ends at once when cancelled", "[probes][tcp]") {
  Listener l(/*backlog_full=*/true);
  // With the accept queue full the kernel drops SYNs, so connect() neither succeeds nor fails.
  auto start = std::chrono::steady_clock::now();
  auto slow = TcpProbe("127.0.0.1", l.port, std::chrono::milliseconds(200));
  auto took = Since(start);
  if (slow.result == Result::kSuccess) {
    WARN("this kernel accepted a connection beyond the backlog; the timeout path is not exercised");
    return;
  }
  CHECK(slow.output == "dial tcp 127.0.0.1:" + std::to_string(l.port) + ": i/o timeout");
  CHECK(took >= std::chrono::milliseconds(190));
  CHECK(took < std::chrono::milliseconds(600));

  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel = true;
  });
  start = std::chrono::steady_clock::now();
  auto cancelled = TcpProbe("127.0.0.1", l.port, std::chrono::seconds(10), &cancel);
  took = Since(start);
  canceller.join();
  CHECK(cancelled.result == Result::kFailure);
  CHECK(took < std::chrono::milliseconds(300));
}

TEST_CASE("TCP probe started without blocking: the outcome at once on loopback, else a pending connect", "[probes][tcp]") {
  using std::chrono::milliseconds;
  Listener l;
  CurlLoop curl;
  // Loopback completes (or refuses) the handshake inside the connect call, as a pod on this host does.
  auto ok = TcpProbeStart(&curl, "127.0.0.1", l.port, milliseconds(1000));
  REQUIRE(ok.outcome);
  CHECK(ok.outcome->result == Result::kSuccess);
  CHECK_FALSE(ok.pending);

  int closed = ClosedPort();
  auto refused = TcpProbeStart(&curl, "127.0.0.1", closed, milliseconds(1000));
  REQUIRE(refused.outcome);
  CHECK(refused.outcome->result == Result::kFailure);
  CHECK(refused.outcome->output == "dial tcp 127.0.0.1:" + std::to_string(closed) + ": connect: connection refused");

  // A name is resolved and connected by the CurlLoop (its threaded resolver); a bad port is an error at once.
  auto name = TcpProbeStart(&curl, "localhost", l.port, milliseconds(1000));
  REQUIRE(name.pending);
  CHECK(name.pending->fd() == -1);  // nothing of its own: the CurlLoop's sockets are polled
  auto by_name = WaitBlocking(name.pending.get(), &curl, nullptr, ProbeOutcome{});
  CHECK(by_name.result == Result::kSuccess);
  CHECK(by_name.output.empty());
  auto missing = WaitBlocking(TcpProbeStart(&curl, "no-such-host.invalid", l.port, milliseconds(2000)), &curl, nullptr,
                              ProbeOutcome{});
  CHECK(missing.result == Result::kFailure);
  CHECK(missing.output == "dial tcp: lookup no-such-host.invalid: no such host");
  auto bad = TcpProbeStart(&curl, "127.0.0.1", 70000, milliseconds(1000));
  REQUIRE(bad.outcome);
  CHECK(bad.outcome->error);
  CHECK(bad.outcome->output == "invalid port number: 70000");

  Listener stalled(/*backlog_full=*/true);
  auto start = std::chrono::steady_clock::now();
  auto pending = TcpProbeStart(&curl, "127.0.0.1", stalled.port, milliseconds(200));
  CHECK(Since(start) < milliseconds(100));  // it did not wait
  if (pending.outcome) {
    WARN("this kernel accepted a connection beyond the backlog; the pending path is not exercised");
    return;
  }
  REQUIRE(pending.pending);
  // The deadline counts from the start, not from the wait.
  auto waited = WaitBlocking(pending.pending.get(), &curl, nullptr, ProbeOutcome{});
  CHECK(waited.result == Result::kFailure);
  CHECK(waited.output == "dial tcp 127.0.0.1:" + std::to_string(stalled.port) + ": i/o timeout");
  CHECK(Since(start) >= milliseconds(190));
  CHECK(Since(start) < milliseconds(600));
}
