// grpc probes started without blocking (GrpcProbeStart): the outcome arrives later through the run's fd.
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>
#include <poll.h>

#include <atomic>
#include <thread>

#include "probes/grpc_prober.h"
#include "probes_test_util.h"
#include "proto/api.grpc.pb.h"
#include "proto/health.grpc.pb.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::BindLoopback;
using crilet::testing::ClosedPort;
using crilet::testing::Eventually;
using crilet::testing::Since;
using grpc::health::v1::HealthCheckResponse;

namespace {

// Answers with `status`; service "held" answers only once the test sets `release` (or the call is cancelled).
class HeldHealthService : public grpc::health::v1::Health::Service {
 public:
  std::atomic<int> status{HealthCheckResponse::SERVING};
  std::atomic<bool> release{false};
  std::atomic<int> held{0};       // calls that reached the handler for "held"
  std::atomic<int> cancelled{0};  // of those, the ones that ended because the client cancelled
  grpc::Status Check(grpc::ServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     HealthCheckResponse* resp) override {
    if (req->service() == "held") {
      ++held;
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);  // bound, should the test fail
      while (!release && !ctx->IsCancelled() && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (ctx->IsCancelled()) ++cancelled;
    }
    resp->set_status(static_cast<HealthCheckResponse::ServingStatus>(status.load()));
    return grpc::Status::OK;
  }
};

struct Server {
  explicit Server(grpc::Service* service) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    if (service) b.RegisterService(service);
    server = b.BuildAndStart();
  }
  ~Server() {
    if (server) server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  }
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

// Whether the run's fd polls ready within `limit` (0: right now).
bool FdReady(const PendingProbe& p, int limit_ms) {
  pollfd pfd{p.fd(), p.events(), 0};
  return poll(&pfd, 1, limit_ms) == 1;
}

// The outcome the run delivers through its fd within `limit_ms`, as the probe manager's loop would get it.
std::optional<ProbeOutcome> OutcomeThroughFd(PendingProbe& p, int limit_ms) {
  pollfd pfd{p.fd(), p.events(), 0};
  if (poll(&pfd, 1, limit_ms) != 1) return std::nullopt;
  return p.OnReady(pfd.revents).outcome;
}

}  // namespace

TEST_CASE("gRPC probe start: returns a pending run at once, the answer comes later through its fd",
          "[probes][grpc][pending]") {
  HeldHealthService service;
  Server s(&service);
  REQUIRE(s.port > 0);

  auto start = std::chrono::steady_clock::now();
  ProbeStart run = GrpcProbeStart("127.0.0.1", s.port, "held", std::chrono::seconds(5));
  auto took = Since(start);
  REQUIRE(run.pending);
  CHECK_FALSE(run.outcome);
  CHECK(took < std::chrono::milliseconds(200));  // no wait for the connection nor the answer
  CHECK(run.pending->events() == POLLIN);
  CHECK(run.pending->deadline() > std::chrono::steady_clock::now() + std::chrono::seconds(4));

  // The server holds the call: the run has no outcome and its fd stays quiet.
  REQUIRE(Eventually([&] { return service.held == 1; }));
  CHECK_FALSE(run.pending->Ready());
  CHECK_FALSE(FdReady(*run.pending, 0));

  service.release = true;
  auto out = OutcomeThroughFd(*run.pending, 3000);
  REQUIRE(out);
  CHECK(out->result == Result::kSuccess);
  CHECK(out->output == "service healthy");
  CHECK(run.pending->Ready());
}

TEST_CASE("gRPC probe start against a port that accepts and never answers: pending, then the connect timeout",
          "[probes][grpc][pending][hostile]") {
  int port = 0;
  int lfd = BindLoopback(&port);
  listen(lfd, 16);
  auto start = std::chrono::steady_clock::now();
  ProbeStart run = GrpcProbeStart("127.0.0.1", port, "", std::chrono::milliseconds(300));
  CHECK(Since(start) < std::chrono::milliseconds(200));
  REQUIRE(run.pending);
  CHECK_FALSE(run.outcome);
  CHECK_FALSE(FdReady(*run.pending, 0));

  // gRPC's own deadline ends the call: the loop learns it through the fd, worded as a connect timeout
  // (the channel never became READY).
  auto out = OutcomeThroughFd(*run.pending, 3000);
  REQUIRE(out);
  CHECK(Since(start) >= std::chrono::milliseconds(250));
  CHECK(out->result == Result::kFailure);
  CHECK(out->output == "timeout: failed to connect service \"127.0.0.1:" + std::to_string(port) +
                           "\" within 300ms: context deadline exceeded");
  run.pending.reset();
  close(lfd);
}

TEST_CASE("gRPC probe start: NOT_SERVING and a server without the health service, through the fd",
          "[probes][grpc][pending]") {
  HeldHealthService service;
  service.status = HealthCheckResponse::NOT_SERVING;
  Server s(&service);
  ProbeStart down = GrpcProbeStart("127.0.0.1", s.port, "", std::chrono::seconds(1));
  REQUIRE(down.pending);
  auto out = OutcomeThroughFd(*down.pending, 3000);
  REQUIRE(out);
  CHECK(out->result == Result::kFailure);
  CHECK(out->output == "service unhealthy (responded with \"NOT_SERVING\")");

  runtime::v1::ImageService::Service other;  // some service, but not grpc.health.v1
  Server bare(&other);
  ProbeStart unimplemented = GrpcProbeStart("127.0.0.1", bare.port, "", std::chrono::seconds(1));
  REQUIRE(unimplemented.pending);
  out = OutcomeThroughFd(*unimplemented.pending, 3000);
  REQUIRE(out);
  CHECK(out->result == Result::kFailure);
  CHECK(out->output.rfind("error: this server does not implement the grpc health protocol (grpc.health.v1.Health)", 0) == 0);
}

TEST_CASE("gRPC probe start: the loop's timeout on a connected channel is the rpc timeout and cancels the call",
          "[probes][grpc][pending]") {
  HeldHealthService service;
  Server s(&service);
  ProbeStart run = GrpcProbeStart("127.0.0.1", s.port, "held", std::chrono::seconds(1));
  REQUIRE(run.pending);
  REQUIRE(Eventually([&] { return service.held == 1; }));
  ProbeOutcome out = run.pending->OnTimeout();  // what the loop calls once deadline() passed
  CHECK(out.result == Result::kFailure);
  CHECK(out.output == "timeout: health rpc did not complete within 1s");
  CHECK(Eventually([&] { return service.cancelled == 1; }));  // TryCancel reached the server
}

TEST_CASE("gRPC probe start: dropping pending runs before the answer is safe and cancels their calls",
          "[probes][grpc][pending]") {
  HeldHealthService service;
  Server s(&service);
  int port = 0;
  int lfd = BindLoopback(&port);  // accepts (backlog) and never answers: runs still connecting
  listen(lfd, 16);
  int closed = ClosedPort();

  {
    std::vector<ProbeStart> runs;
    for (int i = 0; i < 8; ++i) runs.push_back(GrpcProbeStart("127.0.0.1", s.port, "held", std::chrono::seconds(5)));
    for (int i = 0; i < 4; ++i) runs.push_back(GrpcProbeStart("127.0.0.1", port, "", std::chrono::seconds(5)));
    for (int i = 0; i < 4; ++i) runs.push_back(GrpcProbeStart("127.0.0.1", closed, "", std::chrono::seconds(5)));
    for (const auto& r : runs) REQUIRE(r.pending);
    REQUIRE(Eventually([&] { return service.held == 8; }));
  }  // every run dropped with its call in flight: gRPC's callbacks run later and free what they share

  CHECK(Eventually([&] { return service.cancelled == 8; }));
  // A run dropped right after it started, maybe before its call left: if the call reached the server, it
  // was cancelled there; either way the server and the next probe are unaffected.
  GrpcProbeStart("127.0.0.1", s.port, "held", std::chrono::seconds(5)).pending.reset();
  ProbeStart next = GrpcProbeStart("127.0.0.1", s.port, "", std::chrono::seconds(2));
  REQUIRE(next.pending);
  auto out = OutcomeThroughFd(*next.pending, 3000);
  REQUIRE(out);
  CHECK(out->output == "service healthy");
  CHECK(Eventually([&] { return service.cancelled == service.held; }));
  close(lfd);
}
