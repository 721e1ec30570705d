// Non-blocking TCP connect with poll, in 50 ms slices so a cancel flag is seen promptly.
#include "probes/tcp_prober.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/status.h"

namespace crilet::probes {
namespace {

// One connect attempt until `deadline`: 0 when connected, else an errno (ETIMEDOUT for our own deadline,
// ECANCELED when cancelled).
int Connect(const addrinfo* ai, std::chrono::steady_clock::time_point deadline, const std::atomic<bool>* cancel) {
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int err = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
  while (err == EINPROGRESS) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      err = ETIMEDOUT;
      break;
    }
    if (cancel && cancel->load()) {
      err = ECANCELED;
      break;
    }
    pollfd p{fd, POLLOUT, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 50)));
    if (n <= 0) continue;  // a 50 ms slice passed (or EINTR): look at the deadline and the flag again
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  }
  close(fd);
  return err;
}

}  // namespace

ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel) {
  const std::string target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
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
    err = Connect(ai, deadline, cancel);
    if (err == 0 || err == ETIMEDOUT || err == ECANCELED) break;
  }
  freeaddrinfo(res);
  if (err == 0) return ProbeOutcome{Result::kSuccess, "", false, false};
  std::string why = err == ETIMEDOUT ? "i/o timeout" : err == ECANCELED ? "operation was canceled" : "connect: " + ErrnoText(err);
  return ProbeOutcome{Result::kFailure, "dial tcp " + target + ": " + why, false, false};
}

}  // namespace crilet::probes
