/// MhdServer: one listening address served by libmicrohttpd's own polling thread, answering through a handler.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/http_types.h"

namespace crilet::server {

struct HttpServerLimits {
  // Open at once (lowered to half the descriptor limit). Past it the oldest connection that has not sent a
  // complete request head is closed to admit the new one, so idle clients cannot lock out /healthz.
  int max_connections = 512;
  // libmicrohttpd's per-connection memory pool: the request line and headers must fit in about half of it
  // (a longer line gets 414, larger headers 431).
  size_t memory_per_connection = 16 * 1024;
  // A connection that sends or takes nothing for this long is closed (without an answer).
  unsigned idle_timeout_s = 10;
};

// Which open connection to close so that a new one fits, given for each, oldest first, whether it has sent a
// complete request head: the oldest that has not (an idle or slow client: a real one sends its head at once),
// else the oldest one still receiving its answer. -1 when there is none.
int PickConnectionToClose(const std::vector<bool>& has_request_oldest_first);

// Serves on libmicrohttpd's internal polling thread: one thread per server, none per connection. It uses
// poll, not epoll: level-triggered, it sees a client that half-closes in mid-head at once, where epoll mode
// now and then waited for the idle timeout. The handler runs on that thread, so it must be quick and must
// outlive the server. Each connection gets one answer with "Connection: close"; request bodies are never
// read. HEAD gets the handler's GET headers and no body; a handler exception becomes a 500.
class MhdServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit MhdServer(Handler handler, HttpServerLimits limits = {});
  ~MhdServer();  // Stop()s
  MhdServer(const MhdServer&) = delete;
  MhdServer& operator=(const MhdServer&) = delete;

  // Binds address:port (an IPv4 or IPv6 literal, or a host name; port 0 picks a free one) and starts serving.
  // Call once.
  Status Start(const std::string& address, int port);
  // Closes every connection and joins the thread. Idempotent; call from the owner's thread.
  void Stop();
  int port() const { return port_; }  // the bound port, 0 before Start
  const HttpServerLimits& limits() const { return limits_; }

  struct State;  // the daemon and its connections, touched by libmicrohttpd's thread (mhd_server.cc)

 private:
  HttpServerLimits limits_;
  std::unique_ptr<State> state_;
  int port_ = 0;
};

}  // namespace crilet::server
