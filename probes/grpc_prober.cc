// gRPC health checking with a fresh channel per probe (as kubelet dials per probe).
#include "probes/grpc_prober.h"

#include <grpcpp/grpcpp.h>

#include "proto/health.grpc.pb.h"

namespace crilet::probes {

ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout) {
  const std::string target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetUserAgentPrefix("kube-probe/1.33");
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  auto deadline = std::chrono::system_clock::now() + timeout;
  if (!channel->WaitForConnected(deadline)) {
    return ProbeOutcome{Result::kFailure,
                        "timeout: failed to connect service \"" + target + "\" within " +
                            std::to_string(timeout.count() / 1000.0).substr(0, 4) + "s: context deadline exceeded",
                        false, false};
  }
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(deadline);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = stub->Check(&ctx, req, &resp);
  if (!st.ok()) {
    if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return ProbeOutcome{Result::kFailure,
                          "this server does not implement the grpc health protocol (grpc.health.v1.Health): " +
                              st.error_message(),
                          false, false};
    }
    if (st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return ProbeOutcome{Result::kFailure, "timeout: health rpc did not complete within the probe timeout", false, false};
    }
    return ProbeOutcome{Result::kFailure, "error: health rpc probe failed: " + st.error_message(), false, false};
  }
  if (resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) return ProbeOutcome{Result::kSuccess, "", false, false};
  return ProbeOutcome{Result::kFailure,
                      "service unhealthy (responded with \"" +
                          grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) + "\")",
                      false, false};
}

}  // namespace crilet::probes
