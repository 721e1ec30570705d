/// HttpServer: a minimal HTTP/1.1 server (one request per connection, GET-style handlers) for the status server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/http_message.h"

namespace crilet::server {

// Serves on its own threads: one listener (poll on the socket and a stop eventfd) and a fixed pool of
// kMaxConnections workers, one connection each. At the cap, new connections wait in the kernel's accept
// backlog. Each connection gets one answer and is closed (Connection: close); request bodies are never read.
// HEAD is answered with the handler's GET headers and no body. A handler exception becomes a 500.
// The handler runs on the worker threads, so it must be thread-safe; it must outlive the server.
class HttpServer {
 public:
  using Handler = std::function<HttpServerResponse(const HttpServerRequest&)>;

  static constexpr int kMaxConnections = 4;
  static constexpr size_t kMaxHeadBytes = 16 * 1024;  // a larger request head gets 431
  static constexpr int kReadTimeoutMs = 10'000;       // for the whole request head; then 408
  static constexpr int kWriteTimeoutMs = 10'000;      // for the whole response

  explicit HttpServer(Handler handler);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds address:port (an IPv4 or IPv6 literal, or a host name; port 0 picks a free one) and listens.
  Status Listen(const std::string& address, int port);
  int port() const { return port_; }  // the bound port, after Listen
  // Starts the listener and the workers; call once, after a successful Listen.
  Status Start();
  // Returns within ~100 ms even with slow or idle clients connected, once every thread is joined.
  // Connections not yet answered are closed. Idempotent; call from one thread (the owner's).
  void Stop();

 private:
  void ListenLoop();
  void WorkerLoop();
  void ServeConnection(int fd);
  // Reads the request head into *head; returns 0 when complete, else the status to answer (400, 408, 431),
  // or -1 to close without answering (client gone, or stopping).
  int ReadHead(int fd, std::string* head);
  // Sends all of data; false if the client went away, the write deadline passed, or the server is stopping.
  bool SendAll(int fd, const std::string& data);
  // After the answer: half-close, and drain what the client still sends (briefly), so the kernel does not
  // reset the connection and lose the answer before the client has read it.
  void LingerClose(int fd);
  // Polls fd for events for up to min(timeout_ms, 100 ms), so callers loop and see stopping_ in time;
  // *revents is 0 on a timeout. False if stopping.
  bool WaitFor(int fd, short events, int timeout_ms, short* revents);

  Handler handler_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd, written by Stop() to wake the listener
  int port_ = 0;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;                      // guards pending_, busy_, started_
  std::condition_variable work_cv_;    // a connection was queued, or stopping
  std::condition_variable slot_cv_;    // a worker became free, or stopping
  std::deque<int> pending_;            // accepted connections not yet picked up by a worker
  int busy_ = 0;                       // workers serving a connection
  bool started_ = false;

  std::thread listener_;
  std::vector<std::thread> workers_;
};

}  // namespace crilet::server
