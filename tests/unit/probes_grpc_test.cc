// grpc probes against an in-test grpc.health.v1 server on 127.0.0.1.
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <thread>

#include "probes/grpc_prober.h"
#include "probes_test_util.h"
#include "proto/api.grpc.pb.h"
#include "proto/health.grpc.pb.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::ClosedPort;
using crilet::testing::Since;
using grpc::health::v1::HealthCheckResponse;

namespace {

class HealthService : public grpc::health::v1::Health::Service {
 public:
  std::atomic<int> status{HealthCheckResponse::SERVING};
  std::atomic<bool> release{false};
  std::string last_service;
  std::string last_agent;
  grpc::Status Check(grpc::ServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     HealthCheckResponse* resp) override {
    last_service = req->service();
    auto ua = ctx->client_metadata().find("user-agent");
    if (ua != ctx->client_metadata().end()) last_agent = std::string(ua->second.data(), ua->second.size());
    if (req->service() == "missing") return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    if (req->service() == "slow") {
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (!release && !ctx->IsCancelled() && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
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

}  // namespace

TEST_CASE("gRPC probe: SERVING, NOT_SERVING, service name, errors", "[probes][grpc]") {
  HealthService service;
  Server s(&service);
  REQUIRE(s.port > 0);
  auto ok = GrpcProbe("127.0.0.1", s.port, "", std::chrono::seconds(1));
  CHECK(ok.result == Result::kSuccess);
  CHECK(service.last_agent.rfind("kube-probe/1.33", 0) == 0);

  CHECK(GrpcProbe("127.0.0.1", s.port, "etcd", std::chrono::seconds(1)).result == Result::kSuccess);
  CHECK(service.last_service == "etcd");

  service.status = HealthCheckResponse::NOT_SERVING;
  auto down = GrpcProbe("127.0.0.1", s.port, "", std::chrono::seconds(1));
  CHECK(down.result == Result::kFailure);
  CHECK(down.output == "service unhealthy (responded with \"NOT_SERVING\")");

  auto missing = GrpcProbe("127.0.0.1", s.port, "missing", std::chrono::seconds(1));
  CHECK(missing.result == Result::kFailure);
  CHECK(missing.output == "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service");

  service.status = HealthCheckResponse::SERVING;
  auto start = std::chrono::steady_clock::now();
  auto slow = GrpcProbe("127.0.0.1", s.port, "slow", std::chrono::milliseconds(200));
  CHECK(slow.result == Result::kFailure);
  CHECK(slow.output == "timeout: health rpc did not complete within 200ms");
  CHECK(Since(start) < std::chrono::milliseconds(600));

  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel = true;
  });
  start = std::chrono::steady_clock::now();
  auto cancelled = GrpcProbe("127.0.0.1", s.port, "slow", std::chrono::seconds(10), &cancel);
  auto took = Since(start);
  canceller.join();
  service.release = true;
  CHECK(cancelled.result == Result::kFailure);
  CHECK(took < std::chrono::milliseconds(400));
}

TEST_CASE("gRPC probe: no health service, nothing listening", "[probes][grpc]") {
  runtime::v1::ImageService::Service other;  // a server with some service, but not grpc.health.v1
  Server bare(&other);
  REQUIRE(bare.server);
  auto unimplemented = GrpcProbe("127.0.0.1", bare.port, "", std::chrono::seconds(1));
  CHECK(unimplemented.result == Result::kFailure);
  CHECK(unimplemented.output.rfind("error: this server does not implement the grpc health protocol (grpc.health.v1.Health)", 0) == 0);

  int port = ClosedPort();
  auto start = std::chrono::steady_clock::now();
  auto none = GrpcProbe("127.0.0.1", port, "", std::chrono::milliseconds(300));
  CHECK(none.result == Result::kFailure);
  CHECK(none.output == "timeout: failed to connect service \"127.0.0.1:" + std::to_string(port) +
                           "\" within 300ms: context deadline exceeded");
  CHECK(Since(start) < std::chrono::milliseconds(800));
}
