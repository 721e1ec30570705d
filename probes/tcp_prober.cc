// tcpSocket probes: a non-blocking connect to an address, or libcurl's resolve-and-connect for a host name.
#include "probes/tcp_prober.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include "common/status.h"

namespace crilet::probes {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Starts a connect: the socket (or -1) and 0, EINPROGRESS or the errno it failed with.
std::pair<int, int> StartConnect(const sockaddr* addr, socklen_t len, int family) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {-1, errno};
  int err = connect(fd, addr, len) == 0 ? 0 : errno;
  if (err != 0 && err != EINPROGRESS) {
    close(fd);
    return {-1, err};
  }
  return {fd, err};
}

// The socket's connect result when it is known without waiting: 0 or an errno; EINPROGRESS if not yet.
int ConnectResultNow(int fd) {
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, 0) <= 0) return EINPROGRESS;
  return ConnectResult(fd);
}

std::string Target(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ProbeOutcome Outcome(int err, const std::string& target) {
  if (err == 0) return ProbeOutcome{Result::kSuccess, "", false, false};
  std::string why = err == ETIMEDOUT ? "i/o timeout" : err == ECANCELED ? "operation was canceled" : "connect: " + ErrnoText(err);
  return ProbeOutcome{Result::kFailure, "dial tcp " + target + ": " + why, false, false};
}

// A connect in progress: done when the socket turns writable (connected or failed).
class TcpPending : public PendingProbe {
 public:
  TcpPending(int fd, std::string target, SteadyTime deadline) : PendingProbe(deadline), fd_(fd), target_(std::move(target)) {}
  ~TcpPending() override { close(fd_); }
  int fd() const override { return fd_; }
  short events() const override { return POLLOUT; }
  Step OnReady(short) override {
    int err = ConnectResult(fd_);
    if (err == EINPROGRESS) return {};
    return Step{Outcome(err, target_)};
  }
  ProbeOutcome OnTimeout() override { return Outcome(ETIMEDOUT, target_); }

 private:
  int fd_;
  std::string target_;
};

// A host name: libcurl resolves it (threaded resolver) and connects, on the caller's CurlLoop; nothing is sent.
class NamePending : public PendingProbe {
 public:
  NamePending(CurlLoop* loop, const std::string& host, int port, std::chrono::milliseconds timeout)
      : PendingProbe(std::chrono::steady_clock::now() + timeout + std::chrono::seconds(1)), loop_(loop), host_(host),
        target_(Target(host, port)) {
    CurlLoop::Request r;
    r.url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
    r.timeout = timeout;
    r.connect_only = true;
    id_ = loop_->Start(r, [this](CurlLoop::Response a) {
      in_flight_ = false;
      outcome_ = OutcomeOf(a);
    });
  }
  ~NamePending() override {
    if (in_flight_) loop_->Cancel(id_);
  }
  int fd() const override { return -1; }
  short events() const override { return 0; }
  bool Ready() const override { return outcome_.has_value(); }
  Step OnReady(short) override { return Step{outcome_}; }
  ProbeOutcome OnTimeout() override { return Outcome(ETIMEDOUT, target_); }

 private:
  ProbeOutcome OutcomeOf(const CurlLoop::Response& a) const {
    using F = CurlLoop::Failure;
    if (a.ok()) return Outcome(0, target_);
    if (a.failure == F::kResolve) return ProbeOutcome{Result::kFailure, "dial tcp: lookup " + host_ + ": no such host", false, false};
    if (a.failure == F::kTimeout) return Outcome(ETIMEDOUT, target_);
    if (a.os_errno != 0) return Outcome(a.os_errno, target_);
    return ProbeOutcome{Result::kFailure, "dial tcp " + target_ + ": " + a.error, false, false};
  }

  CurlLoop* loop_;
  std::string host_;
  std::string target_;
  CurlLoop::RequestId id_ = 0;
  bool in_flight_ = true;
  std::optional<ProbeOutcome> outcome_;
};

}  // namespace

int ConnectResult(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return err;
}

ConnectStart ConnectToAddress(const std::string& ip, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return {};  // a name
  }
  ConnectStart out;
  out.address = true;
  std::tie(out.fd, out.err) = StartConnect(reinterpret_cast<const sockaddr*>(&ss), len, ss.ss_family);
  if (out.err == EINPROGRESS) out.err = ConnectResultNow(out.fd);
  if (out.err != 0 && out.err != EINPROGRESS && out.fd >= 0) {
    close(out.fd);
    out.fd = -1;
  }
  return out;
}

ProbeStart TcpProbeStart(CurlLoop* curl, const std::string& host, int port, std::chrono::milliseconds timeout) {
  ProbeStart out;
  if (port <= 0 || port > 65535) {
    out.outcome = ProbeOutcome{Result::kUnknown, "invalid port number: " + std::to_string(port), true, false};
    return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ConnectStart c = ConnectToAddress(host, port);
  if (!c.address) {
    out.pending = std::make_unique<NamePending>(curl, host, port, timeout);
    return out;
  }
  if (c.err == EINPROGRESS) {
    out.pending = std::make_unique<TcpPending>(c.fd, Target(host, port), deadline);
    return out;
  }
  if (c.fd >= 0) close(c.fd);
  out.outcome = Outcome(c.err, Target(host, port));
  return out;
}

ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel) {
  CurlLoop curl;
  return WaitBlocking(TcpProbeStart(&curl, host, port, timeout), &curl, cancel, Outcome(ECANCELED, Target(host, port)));
}

}  // namespace crilet::probes
