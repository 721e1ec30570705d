/// Loopback sockets for unit tests: a bound socket on a free 127.0.0.1 port, and a port nothing listens on.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace crilet::testing {

// A TCP socket bound to 127.0.0.1 on a free port (not yet listening); *port is set to that port.
inline int BindLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// A loopback port nothing listens on (bound once to pick it, then closed).
inline int ClosedPort() {
  int port = 0;
  close(BindLoopback(&port));
  return port;
}

}  // namespace crilet::testing
