/// H2Channel: unary gRPC calls over HTTP/2 on a unix socket (nghttp2), for the hot ExecSync path of probes.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "cri/h2_stream.h"  // GrpcTimeoutHeader, PercentDecode

namespace crilet::cri {

// Why not gRPC's client here: an exec probe is one small unary call per period, and gRPC 1.51's client costs
// ~0.5 ms of CPU and ~9 context switches per call (completion queues, its poller and executor threads);
// this channel does the same call in ~0.14 ms from the calling thread alone (measured against the same
// containerd). Each call takes an idle connection from a small pool (or opens one), runs one HTTP/2 stream
// on it with blocking I/O and a deadline, and puts the connection back. Thread-safe.
class H2Call;

class H2Channel {
 public:
  // `socket_path`: the runtime's unix socket. At most `max_idle` connections are kept open between calls.
  explicit H2Channel(std::string socket_path, size_t max_idle = 8);
  ~H2Channel();
  H2Channel(const H2Channel&) = delete;
  H2Channel& operator=(const H2Channel&) = delete;

  // Sends `request` (a serialized message) to `method` ("/runtime.v1.RuntimeService/ExecSync") and waits up to
  // `timeout` for the answer. Errors carry gRPC's codes: the server's grpc-status and grpc-message,
  // kUnavailable when the socket cannot be reached or the connection breaks, kDeadlineExceeded on timeout.
  Status Call(const std::string& method, const std::string& request, std::chrono::milliseconds timeout,
              std::string* response);

  // Starts the same call without blocking, for a caller that waits in its own poll loop (the probe
  // scheduler): all such calls share one connection, as concurrent streams. Null with *error when the
  // request cannot be sent. H2Call drives it.
  std::unique_ptr<H2Call> Start(const std::string& method, const std::string& request, std::chrono::milliseconds timeout,
                                Status* error);

  struct Conn;  // one HTTP/2 connection; defined in the .cc

 private:
  std::string socket_path_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;  // most recently used last
  std::shared_ptr<Conn> shared_;             // the connection of Start's calls
};

// One call started by H2Channel::Start. Poll fd() for events(), then Step; calls on the shared connection
// may be driven from different threads (the connection has its own lock). Destroying an unfinished call
// cancels its stream (RST_STREAM).
class H2Call {
 public:
  ~H2Call();
  H2Call(const H2Call&) = delete;
  H2Call& operator=(const H2Call&) = delete;

  int fd() const;
  short events() const;  // POLLIN, and POLLOUT while frames wait to leave
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  // Reads what the connection has, without blocking, and answers it. The call's Status once its answer is
  // complete (with *response set), the connection's error if it broke first, else nothing yet.
  std::optional<Status> Step(std::string* response);
  // Another call's Step on the shared connection already read this one's answer (or saw the connection
  // break): Step now, as no more bytes may come for it and its socket would not poll ready.
  bool Ready() const;
  // The deadline passed: cancels the stream. DeadlineExceeded.
  Status Expire();

 private:
  friend class H2Channel;
  H2Call(std::shared_ptr<H2Channel::Conn> conn, int32_t stream_id, std::chrono::steady_clock::time_point deadline)
      : conn_(std::move(conn)), stream_id_(stream_id), deadline_(deadline) {}
  void Cancel();  // resets the stream (if the connection still works) and forgets it
  std::shared_ptr<H2Channel::Conn> conn_;
  int32_t stream_id_;
  std::chrono::steady_clock::time_point deadline_;
  bool finished_ = false;
};

}  // namespace crilet::cri
