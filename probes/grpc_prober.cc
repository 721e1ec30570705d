// gRPC health checking (pkg/probe/grpc), the only probes file that sees generated gRPC code.
#include "probes/grpc_prober.h"

#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <mutex>

#include "common/status.h"
#include "probes/http_prober.h"
#include "proto/health.grpc.pb.h"

namespace crilet::probes {
namespace {

using grpc::health::v1::HealthCheckResponse;

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

ProbeOutcome Failure(std::string why) { return ProbeOutcome{Result::kFailure, std::move(why), false, false}; }

// Kubelet's text for a probe whose time ran out: before the channel was connected, grpc-go's DialContext
// failed; after it, the Check call did.
ProbeOutcome TimeoutOutcome(const std::string& target, std::chrono::milliseconds timeout, bool connected) {
  if (!connected) {
    return Failure("timeout: failed to connect service \"" + target + "\" within " + GoDuration(timeout) +
                   ": context deadline exceeded");
  }
  return Failure("timeout: health rpc did not complete within " + GoDuration(timeout));
}

// Kubelet's outcome for a finished Check call: its status, and the serving status it answered.
ProbeOutcome CallOutcome(const std::string& target, std::chrono::milliseconds timeout, bool connected,
                         const grpc::Status& st, HealthCheckResponse::ServingStatus serving) {
  if (!st.ok()) {
    if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return Failure("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): " +
                     st.error_message());
    }
    if (st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return TimeoutOutcome(target, timeout, connected);
    return Failure("error: health rpc probe failed: " +
                   GoRpcErrorText(static_cast<Code>(st.error_code()), st.error_message()));
  }
  if (serving != HealthCheckResponse::SERVING) {
    return Failure("service unhealthy (responded with \"" + HealthCheckResponse::ServingStatus_Name(serving) + "\")");
  }
  return ProbeOutcome{Result::kSuccess, "service healthy", false, false};
}

// Everything the Check call touches, shared by the pending run and gRPC's completion callback: whichever
// lets go last frees it, so a run dropped before the answer leaves nothing dangling. Members are destroyed
// in reverse order: the context (which holds the call) before the stub and the channel it runs on.
struct CallState {
  ~CallState() {
    if (efd >= 0) close(efd);
  }
  int efd = -1;  // written once by the callback; the pending run's fd()
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  HealthCheckResponse resp;
  // Written by the callback before `done` is set (release), read by the loop after it saw `done` (acquire).
  grpc::Status status;
  bool connected = false;  // the channel was READY when the call ended
  std::atomic<bool> done{false};
};

// gRPC 1.51 runs the callback API's completions on the "nexting" threads of one process-wide completion
// queue, counted by the channels that used it: dropping the last such channel shuts that queue down and
// joins its threads, which aborts when it happens on one of them (grpc/grpc#37858). A probe run dropped
// before its answer leaves its channel for the callback to drop, so one channel that never connects (an
// invalid target gives a lame channel: no socket, no lookup) holds the queue for the life of the process,
// and any thread may drop a probe's channel. It also spares creating and joining those threads per probe.
void HoldCallbackQueue() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct Keeper {
      std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel("ipv4:not-an-address", grpc::InsecureChannelCredentials());
      std::unique_ptr<grpc::health::v1::Health::Stub> stub = grpc::health::v1::Health::NewStub(channel);
      grpc::ClientContext ctx;
      grpc::health::v1::HealthCheckRequest req;
      HealthCheckResponse resp;
    };
    static Keeper* keeper = new Keeper;  // never freed: it must outlive every probe channel
    // The call takes the queue (the channel keeps it from then on) and fails at once: nothing to wait for.
    keeper->stub->async()->Check(&keeper->ctx, &keeper->req, &keeper->resp, [](grpc::Status) {});
  });
}

bool ChannelReady(grpc::Channel& channel) { return channel.GetState(false) == GRPC_CHANNEL_READY; }

// A Check call in flight; its outcome arrives through the eventfd.
class GrpcPending : public PendingProbe {
 public:
  GrpcPending(std::shared_ptr<CallState> call, std::string target, std::chrono::milliseconds timeout, SteadyTime deadline)
      : PendingProbe(deadline), call_(std::move(call)), target_(std::move(target)), timeout_(timeout) {}
  ~GrpcPending() override {
    if (!call_->done.load(std::memory_order_acquire)) call_->ctx.TryCancel();  // the callback still runs, and frees
  }
  int fd() const override { return call_->efd; }
  short events() const override { return POLLIN; }
  bool Ready() const override { return call_->done.load(std::memory_order_acquire); }
  Step OnReady(short) override {
    uint64_t n = 0;
    if (read(call_->efd, &n, sizeof n) < 0) {}  // EAGAIN when Ready() came first: nothing to drain
    if (!call_->done.load(std::memory_order_acquire)) return {};
    return Step{CallOutcome(target_, timeout_, call_->connected, call_->status, call_->resp.status())};
  }
  ProbeOutcome OnTimeout() override {
    if (call_->done.load(std::memory_order_acquire)) {
      return CallOutcome(target_, timeout_, call_->connected, call_->status, call_->resp.status());
    }
    bool connected = ChannelReady(*call_->channel);
    call_->ctx.TryCancel();
    return TimeoutOutcome(target_, timeout_, connected);
  }
  // Kubelet's text for a probe cancelled before it ended (its context was cancelled).
  ProbeOutcome Cancelled() const {
    if (!ChannelReady(*call_->channel)) return Failure("error: failed to connect service at \"" + target_ + "\": context canceled");
    return Failure("error: health rpc probe failed: rpc error: code = Canceled desc = context canceled");
  }

 private:
  std::shared_ptr<CallState> call_;
  std::string target_;
  std::chrono::milliseconds timeout_;
};

std::string Target(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// The outcome when the run could not start for want of an eventfd (`err`, the errno, says why).
ProbeOutcome NoEventFd(const std::string& host, int port, int err) {
  return Failure("error: failed to connect service at \"" + Target(host, port) + "\": eventfd: " + ErrnoText(err));
}

// Starts the Check call, or null when no eventfd could be had (*err is then eventfd's errno).
std::unique_ptr<GrpcPending> StartCheck(const std::string& host, int port, const std::string& service,
                                        std::chrono::milliseconds timeout, int* err) {
  const std::string target = Target(host, port);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetUserAgentPrefix(kProbeUserAgent);
  // A channel of its own: subchannels are not shared with other probes, so dropping it closes the connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC gives a connection attempt at least this long (20 s by default) and goes on with it after the
  // channel is dropped: a server that accepts and never speaks HTTP/2 would hold one more socket of ours
  // per period for 20 s. grpc-go's DialContext ends the attempt with its context: so does this.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(std::max<int64_t>(timeout.count(), 100)));

  HoldCallbackQueue();
  auto call = std::make_shared<CallState>();
  call->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (call->efd < 0) {
    *err = errno;
    return nullptr;
  }
  // Creating the channel does not connect (nor resolve a host name) on this thread; gRPC does it on its own.
  call->channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  call->stub = grpc::health::v1::Health::NewStub(call->channel);
  // wait_for_ready: the call waits for the channel to connect (through refused attempts) until the deadline,
  // as kubelet's blocking DialContext does before it calls.
  call->ctx.set_wait_for_ready(true);
  call->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  call->req.set_service(service);
  auto pending = std::make_unique<GrpcPending>(call, target, timeout, std::chrono::steady_clock::now() + timeout);
  // The callback runs on a gRPC thread, once, after the call ended (answered, failed, timed out or cancelled).
  call->stub->async()->Check(&call->ctx, &call->req, &call->resp, [call](grpc::Status st) {
    call->connected = ChannelReady(*call->channel);
    call->status = std::move(st);
    call->done.store(true, std::memory_order_release);
    uint64_t one = 1;
    if (call->efd >= 0 && write(call->efd, &one, sizeof one) < 0) {}  // cannot fail short of a full counter
  });
  return pending;
}

}  // namespace

ProbeStart GrpcProbeStart(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout) {
  ProbeStart start;
  int err = 0;
  start.pending = StartCheck(host, port, service, timeout, &err);
  if (!start.pending) start.outcome = NoEventFd(host, port, err);
  return start;
}

ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel) {
  int err = 0;
  std::unique_ptr<GrpcPending> p = StartCheck(host, port, service, timeout, &err);
  if (!p) return NoEventFd(host, port, err);
  // A finished run is never kUnknown: that one is the cancel, worded from the state it reached.
  ProbeOutcome out = WaitBlocking(p.get(), nullptr, cancel, ProbeOutcome{});
  return out.result == Result::kUnknown ? p->Cancelled() : out;
}

}  // namespace crilet::probes
