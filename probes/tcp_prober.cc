// Non-blocking TCP connect with poll, in 50 ms slices so a cancel flag is seen promptly.
#include "probes/tcp_prober.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
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

// Waits for a connect in progress until `deadline`: 0 when connected, else an errno (ETIMEDOUT for our own
// deadline, ECANCELED when cancelled).
int WaitConnected(int fd, SteadyTime deadline, const std::atomic<bool>* cancel) {
  int err = EINPROGRESS;
  while (err == EINPROGRESS) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ETIMEDOUT;
    if (cancel && cancel->load()) return ECANCELED;
    pollfd p{fd, POLLOUT, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 50)));
    if (n <= 0) continue;  // a 50 ms slice passed (or EINTR): look at the deadline and the flag again
    err = ConnectResult(fd);
  }
  return err;
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
    return Step{Outcome(err, target_), nullptr};
  }
  ProbeOutcome OnTimeout() override { return Outcome(ETIMEDOUT, target_); }

 private:
  int fd_;
  std::string target_;
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

ProbeStart TcpProbeStart(const std::string& host, int port, std::chrono::milliseconds timeout) {
  if (port <= 0 || port > 65535) return {};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ConnectStart c = ConnectToAddress(host, port);
  if (!c.address) return {};  // a name: TcpProbe resolves it
  ProbeStart out;
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
  const std::string target = Target(host, port);
  if (port <= 0 || port > 65535) return ProbeOutcome{Result::kUnknown, "invalid port number: " + std::to_string(port), true, false};
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  int gai = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai == EAI_NONAME) {
    hints.ai_flags = AI_NUMERICSERV;  // a name, not an address
    gai = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  }
  if (gai != 0 || !res) {
    return ProbeOutcome{Result::kFailure,
                        "dial tcp: lookup " + host + ": " + (gai == EAI_NONAME ? "no such host" : gai_strerror(gai)), false,
                        false};
  }
  // Like Go's dialer, try each address in turn until one connects.
  int err = 0;
  for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
    auto [fd, started] = StartConnect(ai->ai_addr, ai->ai_addrlen, ai->ai_family);
    err = started;
    if (fd >= 0) {
      if (err == EINPROGRESS) err = WaitConnected(fd, deadline, cancel);
      close(fd);
    }
    if (err == 0 || err == ETIMEDOUT || err == ECANCELED) break;
  }
  freeaddrinfo(res);
  return Outcome(err, target);
}

}  // namespace crilet::probes
