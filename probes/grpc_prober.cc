// gRPC health checking (pkg/probe/grpc), the only probes file that sees generated gRPC code.
#include "probes/grpc_prober.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "probes/http_prober.h"
#include "proto/health.grpc.pb.h"

namespace crilet::probes {
namespace {

constexpr auto kSlice = std::chrono::milliseconds(50);  // how often a wait looks at the cancel flag

// Go's time.Duration formatting for the values probes use: "300ms", "1s", "1.5s".
std::string GoDuration(std::chrono::milliseconds d) {
  if (d.count() < 1000) return std::to_string(d.count()) + "ms";
  std::string s = std::to_string(d.count() / 1000);
  if (int64_t ms = d.count() % 1000; ms != 0) {
    std::string frac = std::to_string(1000 + ms).substr(1);
    frac.erase(frac.find_last_not_of('0') + 1);
    s += "." + frac;
  }
  return s + "s";
}

bool Cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

// grpc-go's code names, as in "rpc error: code = NotFound desc = ...".
std::string GoCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",      "Canceled",          "Unknown",          "InvalidArgument",
                                       "DeadlineExceeded", "NotFound", "AlreadyExists",    "PermissionDenied",
                                       "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                                       "Unimplemented", "Internal",      "Unavailable",      "DataLoss",
                                       "Unauthenticated"};
  int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "Code(" + std::to_string(i) + ")";
}

}  // namespace

ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel) {
  const std::string target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto failure = [](std::string why) { return ProbeOutcome{Result::kFailure, std::move(why), false, false}; };
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetUserAgentPrefix(kProbeUserAgent);
  // A channel of its own: subchannels are not shared with other probes, so dropping it closes the connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC gives a connection attempt at least this long (20 s by default) and goes on with it after the
  // channel is dropped: a server that accepts and never speaks HTTP/2 would hold one more socket of ours
  // per period for 20 s. grpc-go's DialContext ends the attempt with its context: so does this.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(std::max<int64_t>(timeout.count(), 100)));
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  const auto deadline = std::chrono::system_clock::now() + timeout;

  for (;;) {
    auto slice = std::min(deadline, std::chrono::system_clock::now() + kSlice);
    if (channel->WaitForConnected(slice)) break;
    if (Cancelled(cancel)) return failure("error: failed to connect service at \"" + target + "\": context canceled");
    if (std::chrono::system_clock::now() >= deadline) {
      return failure("timeout: failed to connect service \"" + target + "\" within " + GoDuration(timeout) +
                     ": context deadline exceeded");
    }
  }

  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(deadline);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status st;
  stub->async()->Check(&ctx, &req, &resp, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    st = std::move(s);
    done = true;
    cv.notify_one();  // under the lock: the waiter cannot return (and destroy cv) before this ends
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    bool cancel_sent = false;
    while (!cv.wait_for(lock, kSlice, [&] { return done; })) {
      if (!cancel_sent && Cancelled(cancel)) {
        ctx.TryCancel();  // the callback still runs (CANCELLED); wait for it
        cancel_sent = true;
      }
    }
  }

  if (!st.ok()) {
    if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return failure("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): " +
                     st.error_message());
    }
    if (st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return failure("timeout: health rpc did not complete within " + GoDuration(timeout));
    }
    return failure("error: health rpc probe failed: rpc error: code = " + GoCodeName(st.error_code()) + " desc = " +
                   st.error_message());
  }
  if (resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return failure("service unhealthy (responded with \"" +
                   grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) + "\")");
  }
  return ProbeOutcome{Result::kSuccess, "service healthy", false, false};
}

}  // namespace crilet::probes
