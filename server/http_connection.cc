// HttpConnection's non-blocking reads, writes and drains, and the choice of a connection to close.
#include "server/http_connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace crilet::server {
namespace {

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

IoStep ReadAvailable(HttpConnection* c, size_t limit) {
  char buf[4096];
  while (c->in.size() < limit) {
    size_t want = std::min(sizeof buf, limit - c->in.size());
    ssize_t n = recv(c->fd, buf, want, 0);
    if (n > 0) {
      c->in.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return IoStep::kDone;
    if (errno == EINTR) continue;
    return WouldBlock(errno) ? IoStep::kAgain : IoStep::kFailed;
  }
  return IoStep::kAgain;
}

IoStep WriteAvailable(HttpConnection* c) {
  while (c->sent < c->out.size()) {
    ssize_t n = send(c->fd, c->out.data() + c->sent, c->out.size() - c->sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && WouldBlock(errno) ? IoStep::kAgain : IoStep::kFailed;
  }
  return IoStep::kDone;
}

IoStep DrainAvailable(HttpConnection* c, size_t limit) {
  char buf[16 * 1024];
  while (c->drained < limit) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      c->drained += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return IoStep::kDone;
    if (errno == EINTR) continue;
    return WouldBlock(errno) ? IoStep::kAgain : IoStep::kFailed;
  }
  return IoStep::kDone;
}

int PickConnectionToClose(const std::vector<ConnectionPhase>& oldest_first) {
  for (ConnectionPhase preferred : {ConnectionPhase::kLingering, ConnectionPhase::kReading, ConnectionPhase::kWriting}) {
    for (size_t i = 0; i < oldest_first.size(); i++) {
      if (oldest_first[i] == preferred) return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace crilet::server
