/// HttpServer: a minimal HTTP/1.1 server (one request per connection, GET-style handlers) for the status server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/http_connection.h"
#include "server/http_message.h"

namespace crilet::server {

struct HttpServerLimits {
  int max_connections = 512;       // open at once; at the cap a new one closes an idle one (PickConnectionToClose)
  int workers = 4;                 // threads running the handler
  size_t max_head_bytes = 16 * 1024;  // a longer request line gets 414, a larger head 431
  int read_timeout_ms = 10'000;    // for the whole request head; then 408
  int write_timeout_ms = 10'000;   // for the whole answer; then the connection is closed
  int linger_ms = 500;             // how long a closing connection drains what the client still sends
  size_t linger_bytes = 1024 * 1024;  // and how much of it
};

// Serves on its own threads: one loop thread that accepts, reads request heads, writes answers and lingers for
// every connection with non-blocking I/O (poll), and a fixed pool of workers that only run the handler on a
// complete head. So a connection costs a descriptor and its buffers, not a thread: idle, slow or hostile
// clients cannot keep a worker from others, and at max_connections (lowered to half the descriptor limit) the
// oldest idle connection is closed to admit a new one. Each connection gets one answer and is closed
// (Connection: close); request bodies are never read. HEAD is answered with the handler's GET headers and no
// body. A handler exception becomes a 500. The handler runs on the worker threads, so it must be thread-safe;
// it must outlive the server.
class HttpServer {
 public:
  using Handler = std::function<HttpServerResponse(const HttpServerRequest&)>;

  explicit HttpServer(Handler handler, HttpServerLimits limits = {});
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds address:port (an IPv4 or IPv6 literal, or a host name; port 0 picks a free one) and listens. May be
  // called again (before Start) for more sockets served by the same loop; requests carry the index of the call
  // whose socket accepted them (HttpServerRequest::listener), so a handler can serve each port its own routes.
  Status Listen(const std::string& address, int port);
  int port(size_t listener = 0) const { return listener < ports_.size() ? ports_[listener] : 0; }  // bound port
  const HttpServerLimits& limits() const { return limits_; }
  // Starts the loop and the workers; call once, after a successful Listen.
  Status Start();
  // Returns promptly (within a handler's run) with any clients connected, once every thread is joined.
  // Connections not yet answered are closed. Idempotent; call from one thread (the owner's).
  void Stop();

 private:
  struct Job {  // a complete head for a worker, and then the answer it formatted
    uint64_t id = 0;
    int listener = 0;
    std::string text;
  };

  void Loop();
  void WorkerLoop();
  // Accepts what listener's backlog holds, making room by closing connections at the cap.
  void AcceptAll(size_t listener, HttpClock::time_point now);
  // Moves a connection on after its socket polled ready (events) or its deadline passed (events 0).
  void Advance(HttpConnection* c, short events, HttpClock::time_point now);
  void Refuse(HttpConnection* c, int status, const std::string& body, HttpClock::time_point now);
  void StartWriting(HttpConnection* c, std::string answer, HttpClock::time_point now);
  bool CloseOneForRoom();
  void CloseConnection(uint64_t id);
  void TakeAnswers(HttpClock::time_point now);

  Handler handler_;
  HttpServerLimits limits_;
  std::vector<int> listen_fds_;  // one per successful Listen, in call order
  std::vector<int> ports_;       // their bound ports
  int wake_fd_ = -1;  // eventfd: Stop() and the workers' answers wake the loop
  std::atomic<bool> stopping_{false};

  // Loop thread only.
  std::map<uint64_t, HttpConnection> connections_;  // by id, so oldest first
  uint64_t next_id_ = 1;
  HttpClock::time_point accept_paused_until_{};     // out of descriptors: accept again after this
  uint64_t closed_for_room_ = 0;
  HttpClock::time_point last_room_warning_{};

  std::mutex mu_;                 // guards jobs_, answers_, started_
  std::condition_variable work_cv_;  // a job was queued, or stopping
  std::deque<Job> jobs_;          // complete heads waiting for a worker
  std::deque<Job> answers_;       // formatted answers waiting for the loop
  bool started_ = false;

  std::thread loop_;
  std::vector<std::thread> workers_;
};

}  // namespace crilet::server
