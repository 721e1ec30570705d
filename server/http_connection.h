/// HttpConnection: one status-server connection's phase, buffers and deadline, its non-blocking I/O steps, and
/// which connection to close when there are too many.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crilet::server {

using HttpClock = std::chrono::steady_clock;

// A connection is read until its head is complete (or refused), answered by a worker, written, and then
// lingers: half-closed, draining what the client still sends so the kernel does not reset the connection and
// lose the answer before the client has read it.
enum class ConnectionPhase { kReading, kHandling, kWriting, kLingering };

struct HttpConnection {
  int fd = -1;           // owned by the server's loop thread, closed when the connection ends
  uint64_t id = 0;       // never reused, so a worker's late answer cannot reach a newer connection on the same fd
  int listener = 0;      // which of the server's listening sockets accepted it (HttpServerRequest::listener)
  ConnectionPhase phase = ConnectionPhase::kReading;
  HttpClock::time_point deadline;  // of the current phase; kHandling has none
  std::string in;        // request bytes received (kReading)
  std::string out;       // the answer (kWriting)
  size_t sent = 0;       // bytes of `out` written
  size_t drained = 0;    // bytes discarded while lingering
};

enum class IoStep {
  kAgain,   // did what it could without blocking; poll again
  kDone,    // reading: the peer closed its side; writing: all sent; lingering: the peer closed or enough drained
  kFailed,  // the connection broke (reset, EPIPE)
};

// Appends what the socket has to c->in, stopping once c->in holds `limit` bytes.
IoStep ReadAvailable(HttpConnection* c, size_t limit);
// Writes as much of c->out as the socket takes.
IoStep WriteAvailable(HttpConnection* c);
// Discards what the socket has; kDone once the peer closed or `limit` bytes were discarded in all.
IoStep DrainAvailable(HttpConnection* c, size_t limit);

// Which open connection to close so that a new one fits, given their phases oldest first: the oldest that
// lingers (its answer is out), else the oldest still sending its head (an idle or slow client: a real one
// sends its head at once), else the oldest still receiving its answer; never one a worker is answering.
// The index, or -1 when every connection is being answered.
int PickConnectionToClose(const std::vector<ConnectionPhase>& oldest_first);

}  // namespace crilet::server
