// Non-blocking TCP connect with poll.
#include "probes/tcp_prober.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crilet::probes {

ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const std::string target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto fail = [&](const std::string& why) { return ProbeOutcome{Result::kFailure, "dial tcp " + target + ": " + why, false, false}; };
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int gai = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0) return fail(std::string("lookup ") + host + ": " + gai_strerror(gai));
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(res);
    return ProbeOutcome{Result::kUnknown, std::string("socket: ") + std::strerror(errno), true, false};
  }
  int rc = connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0 && errno != EINPROGRESS) {
    std::string why = std::strerror(errno);
    close(fd);
    return fail("connect: " + why);
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int n = poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) {
      close(fd);
      return fail("i/o timeout");
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      close(fd);
      return fail(std::string("connect: ") + std::strerror(err));
    }
  }
  close(fd);
  return ProbeOutcome{Result::kSuccess, "", false, false};
}

}  // namespace crilet::probes
