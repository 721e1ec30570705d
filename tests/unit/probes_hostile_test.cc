// httpGet probes against hostile servers (issue 15.4): huge heads, endless and huge chunks, bodies that
// trickle, garbage, redirect loops; kubelet's outcome and Go's text for each, in bounded time and memory.
#include <catch2/catch.hpp>

#include <poll.h>

#include <atomic>
#include <functional>
#include <thread>

#include "common/go_quote.h"
#include "probes/http_errors.h"
#include "probes/grpc_prober.h"
#include "probes/http_prober.h"
#include "probes_test_util.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::BindLoopback;
using crilet::testing::Since;

namespace {

// A server on 127.0.0.1 that hands each connection (after reading the request head) to handler(fd, path),
// which may write as long as it likes: a write fails once the client closed, and stop() ends every loop.
class HostileServer {
 public:
  using Handler = std::function<void(int fd, const std::string& path, const std::atomic<bool>& stop)>;
  explicit HostileServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = BindLoopback(&port_);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      connections_++;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      std::string path = req.size() > 4 ? req.substr(4, req.find(' ', 4) - 4) : "";
      handler_(c, path, stop_);
      close(c);
    }
  }
  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Writes all of s; false once the client is gone.
bool Send(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Sends `piece` until the client closes or the server stops.
void Forever(int fd, const std::string& piece, const std::atomic<bool>& stop) {
  while (!stop && Send(fd, piece)) {
  }
}

void Serve(int fd, const std::string& path, const std::atomic<bool>& stop) {
  if (path == "/headers-200k" || path == "/headers-1m") {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < (path == "/headers-1m" ? 1024 : 200); ++i) head += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
    Send(fd, head + "Content-Length: 2\r\n\r\nok");
  } else if (path == "/headers-endless") {
    Send(fd, "HTTP/1.1 200 OK\r\n");
    Forever(fd, "X-Pad: " + std::string(4000, 'p') + "\r\n", stop);
  } else if (path == "/header-line-endless") {
    Send(fd, "HTTP/1.1 200 OK\r\nX-Long: ");
    Forever(fd, std::string(65536, 'l'), stop);
  } else if (path == "/endless-body") {
    Send(fd, "HTTP/1.1 200 OK\r\n\r\n");
    Forever(fd, std::string(65536, 'y'), stop);
  } else if (path == "/endless-503") {
    Send(fd, "HTTP/1.1 503 Service Unavailable\r\n\r\n");
    Forever(fd, std::string(65536, 'y'), stop);
  } else if (path == "/endless-chunks") {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    Forever(fd, "400\r\n" + std::string(1024, 'c') + "\r\n", stop);
  } else if (path == "/huge-chunk") {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000\r\n");
    Forever(fd, std::string(65536, 'h'), stop);
  } else if (path == "/slow-body") {
    Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    while (!stop && Send(fd, "s")) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } else if (path == "/garbage") {
    static const char kGarbage[] = "\x00\x01garbage\xff\r\n\r\nmore\r\n";
    Send(fd, std::string(kGarbage, sizeof kGarbage - 1));
  } else if (path == "/loop") {
    Send(fd, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
  } else if (path == "/ok") {
    Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  }
  // anything else: closed without an answer
}

// As the probe manager's loop runs it: on a CurlLoop driven by a poll.
ProbeOutcome StartAndWait(const HttpRequest& req) {
  CurlLoop curl;
  ProbeStart s = HttpProbeStart(&curl, req);
  REQUIRE(s.pending);
  return WaitBlocking(s.pending.get(), &curl, nullptr, ProbeOutcome{Result::kUnknown, "cancelled", true, false});
}

struct Want {
  Result result;
  std::string output;
  bool error = false;
};

}  // namespace

TEST_CASE("hostile HTTP targets: kubelet's outcome and Go's text, both ways a probe runs", "[probes][http][hostile]") {
  HostileServer server(Serve);
  const std::string base = server.base();
  const std::string broken = "net/http: HTTP/1.x transport connection broken: ";
  const std::vector<std::pair<std::string, Want>> rows = {
      // Go's client takes up to 10 MiB of response head; libcurl 7.88 takes 300 KiB (100 KiB a line), a
      // compile-time limit: 200 KiB of headers is a normal answer, 1 MiB (an answer for Go) fails with Go's text.
      {"/headers-200k", {Result::kSuccess, "ok"}},
      {"/headers-1m",
       {Result::kFailure, "Get \"" + base + "/headers-1m\": " + broken +
                              "net/http: server response headers exceeded 10485760 bytes; aborted"}},
      {"/headers-endless",
       {Result::kFailure, "Get \"" + base + "/headers-endless\": " + broken +
                              "net/http: server response headers exceeded 10485760 bytes; aborted"}},
      {"/header-line-endless",
       {Result::kFailure, "Get \"" + base + "/header-line-endless\": " + broken +
                              "net/http: server response headers exceeded 10485760 bytes; aborted"}},
      // ReadAtMost: 10 KiB of body, then the status code decides.
      {"/endless-body", {Result::kSuccess, std::string(10 * 1024, 'y')}},
      {"/endless-503", {Result::kFailure, "HTTP probe failed with statuscode: 503"}},
      {"/endless-chunks", {Result::kSuccess, std::string(10 * 1024, 'c')}},
      // One chunk declared a terabyte long: its first 10 KiB are the body (it used to be buffered whole).
      {"/huge-chunk", {Result::kSuccess, std::string(10 * 1024, 'h')}},
      // The head came, the body trickles past the timeout: DoHTTPProbe's error, not a failure.
      {"/slow-body",
       {Result::kFailure, "context deadline exceeded (Client.Timeout or context cancellation while reading body)", true}},
      {"/garbage", {Result::kFailure, "Get \"" + base + "/garbage\": " + broken + "malformed HTTP response \"\\x00\\x01garbage\\xff\""}},
      // Go's redirect error names the Location as sent.
      {"/loop", {Result::kFailure, "Get \"/loop\": stopped after 10 redirects"}},
      {"/closes", {Result::kFailure, "Get \"" + base + "/closes\": EOF"}},
  };
  for (const auto& [path, want] : rows) {
    for (bool started : {false, true}) {
      INFO(path << (started ? " (on a caller's loop)" : " (waited for)"));
      HttpRequest req;
      req.url = base + path;
      req.timeout = std::chrono::milliseconds(700);
      auto start = std::chrono::steady_clock::now();
      ProbeOutcome out = started ? StartAndWait(req) : HttpProbe(req);
      auto took = Since(start);
      CHECK(out.result == want.result);
      CHECK(out.output == want.output);
      CHECK(out.error == want.error);
      CHECK(took < std::chrono::milliseconds(1200));  // never past the timeout, whatever the server does
      if (path != "/slow-body") CHECK(took < std::chrono::milliseconds(650));  // decided before the timeout
    }
  }
  SECTION("a redirect loop costs 10 requests") {
    int before = server.connections();
    HttpProbe(HttpRequest{base + "/loop", {}, std::chrono::milliseconds(2000)});
    CHECK(server.connections() - before == 10);
  }
}

TEST_CASE("Go's %q for the garbage quoted in malformed-answer errors", "[http]") {
  CHECK(GoQuote("plain text") == "\"plain text\"");
  CHECK(GoQuote(std::string("\x00\x01\xff", 3)) == "\"\\x00\\x01\\xff\"");
  CHECK(GoQuote("tab\tquote\"back\\slash\n") == "\"tab\\tquote\\\"back\\\\slash\\n\"");
  CHECK(GoQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // valid UTF-8 stays as it is
  CHECK(GoQuote("\x7f") == "\"\\x7f\"");
}

TEST_CASE("gRPC probe against a port that accepts and never answers: timeout, connection closed with it",
          "[probes][grpc][hostile]") {
  int port = 0;
  int lfd = BindLoopback(&port);
  listen(lfd, 16);
  auto start = std::chrono::steady_clock::now();
  ProbeOutcome out = GrpcProbe("127.0.0.1", port, "", std::chrono::milliseconds(300), nullptr);
  auto took = Since(start);
  CHECK(out.result == Result::kFailure);
  CHECK(out.output == "timeout: failed to connect service \"127.0.0.1:" + std::to_string(port) +
                          "\" within 300ms: context deadline exceeded");
  CHECK(took < std::chrono::milliseconds(800));
  // The connection the probe opened is closed soon after it gave up, as grpc-go's DialContext does when its
  // context ends; it used to stay open for gRPC's 20 s connect timeout, one more per period.
  int c = accept(lfd, nullptr, nullptr);
  REQUIRE(c >= 0);
  pollfd p{c, POLLRDHUP, 0};
  int ready = poll(&p, 1, 2000);
  CHECK(ready == 1);
  CHECK(Since(start) < std::chrono::milliseconds(2000));
  close(c);
  close(lfd);
}
