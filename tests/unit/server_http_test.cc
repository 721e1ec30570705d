// MhdServer over raw loopback sockets: answers, HEAD, queries, bad heads, idle/slow/hostile clients, the cap, Stop().
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <mutex>
#include <stdexcept>
#include <thread>

#include "server/mhd_server.h"
#include "server_test_util.h"

using namespace crilet;
using namespace crilet::server;
using crilet::testing::BodyOf;
using crilet::testing::ElapsedSince;
using crilet::testing::Exchange;
using crilet::testing::Get;
using crilet::testing::HeaderOf;
using crilet::testing::RawClient;
using crilet::testing::StatusOf;
using namespace std::chrono_literals;

namespace {

// Echoes what it was asked in the body and remembers the last request.
struct Recorder {
  HttpResponse operator()(const HttpRequest& req) {
    {
      std::lock_guard<std::mutex> l(mu);
      last = req;
    }
    if (req.path == "/throw") throw std::runtime_error("boom");
    HttpResponse res;
    res.body = "hello " + req.method + " " + req.path + "\n";
    if (req.path == "/big") res.body.assign(1024 * 1024, 'x');  // more than a socket buffer holds untuned
    if (req.path == "/teapot") {
      res.status = 418;
      res.headers.emplace_back("X-Kind", "teapot");
    }
    return res;
  }
  HttpRequest Last() {
    std::lock_guard<std::mutex> l(mu);
    return last;
  }
  std::mutex mu;  // guards last
  HttpRequest last;
};

// An MhdServer on 127.0.0.1 with an ephemeral port, serving a Recorder.
struct Harness {
  Recorder recorder;
  MhdServer server;
  explicit Harness(HttpServerLimits limits = {})
      : server([this](const HttpRequest& r) { return recorder(r); }, limits) {
    REQUIRE(server.Start("127.0.0.1", 0).ok());
    REQUIRE(server.port() > 0);
  }
};

}  // namespace

TEST_CASE("HTTP server: GET gets status, headers and body, then the connection closes", "[server][http]") {
  Harness h;
  std::string r = Get(h.server.port(), "/hello");
  CHECK(r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(HeaderOf(r, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(HeaderOf(r, "Content-Length") == "17");
  CHECK(HeaderOf(r, "Connection") == "close");
  CHECK(BodyOf(r) == "hello GET /hello\n");

  std::string teapot = Get(h.server.port(), "/teapot");
  CHECK(StatusOf(teapot) == 418);
  CHECK(HeaderOf(teapot, "X-Kind") == "teapot");

  // An HTTP/1.0 client, and a request body the handler never sees, are fine.
  CHECK(StatusOf(Exchange(h.server.port(), "GET /old HTTP/1.0\r\n\r\n")) == 200);
  std::string post = Exchange(h.server.port(), "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(BodyOf(post) == "hello POST /p\n");
}

TEST_CASE("HTTP server: HEAD has GET's headers and no body", "[server][http]") {
  Harness h;
  std::string r = Get(h.server.port(), "/hello", "HEAD");
  CHECK(StatusOf(r) == 200);
  CHECK(HeaderOf(r, "Content-Length") == "18");  // "hello HEAD /hello\n"
  CHECK(r.size() == r.find("\r\n\r\n") + 4);
  CHECK(h.recorder.Last().method == "HEAD");
}

TEST_CASE("HTTP server: the target splits into a decoded path and query", "[server][http]") {
  Harness h;
  REQUIRE(StatusOf(Get(h.server.port(), "/x?verbose")) == 200);
  HttpRequest req = h.recorder.Last();
  CHECK(req.path == "/x");
  CHECK(req.query == std::map<std::string, std::string>{{"verbose", ""}});

  REQUIRE(StatusOf(Get(h.server.port(), "/x?a=1&b=hello%20world&c=x+y&a=2&=skipped&d=")) == 200);
  req = h.recorder.Last();
  CHECK(req.path == "/x");
  CHECK(req.query == std::map<std::string, std::string>{{"a", "1"}, {"b", "hello world"}, {"c", "x y"}, {"d", ""}});

  REQUIRE(StatusOf(Get(h.server.port(), "/pods/kube%2Dsystem/a+b")) == 200);
  CHECK(h.recorder.Last().path == "/pods/kube-system/a+b");  // '+' is a space only in queries
  CHECK(h.recorder.Last().query.empty());

  REQUIRE(StatusOf(Get(h.server.port(), "http://127.0.0.1:1/abs?q=1")) == 200);
  CHECK(h.recorder.Last().path == "/abs");
}

TEST_CASE("HTTP server: a head too big for the connection's memory gets 431, a longer line 414", "[server][http]") {
  Harness h;  // 16 KiB per connection, most of which may hold the head
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  std::string r = Exchange(h.server.port(), big);
  CHECK(StatusOf(r) == 431);
  CHECK(HeaderOf(r, "Connection") == "close");

  std::string long_line = "GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\n\r\n";
  CHECK(StatusOf(Exchange(h.server.port(), long_line)) == 414);

  // 8 KiB of headers, more than any real client sends, is fine.
  std::string fits = "GET / HTTP/1.1\r\nX-Big: " + std::string(8 * 1024, 'a') + "\r\n\r\n";
  CHECK(StatusOf(Exchange(h.server.port(), fits)) == 200);
}

TEST_CASE("HTTP server: broken request lines get libmicrohttpd's answers", "[server][http]") {
  Harness h;
  struct Row {
    std::string request;
    int status;  // 0: closed without an answer
  };
  // What libmicrohttpd 0.9.75 makes of them, pinned so a library update that changes a verdict is noticed.
  std::vector<Row> rows = {
      {"GET /\r\n\r\n", 400},               // no version
      {"GET / HTTP/2.0\r\n\r\n", 505},       // a version it does not speak
      {"GET / HTTP/1.1\r\nnocolon\r\n\r\n", 400},
      {"HELLO\r\n\r\n", 0},                 // no target
  };
  for (const auto& row : rows) {
    INFO(row.request);
    CHECK(StatusOf(Exchange(h.server.port(), row.request)) == row.status);
  }
}

TEST_CASE("HTTP server: a client that sends nothing more is closed after the idle timeout", "[server][http]") {
  HttpServerLimits limits;
  limits.idle_timeout_s = 1;
  Harness h(limits);
  RawClient idle("127.0.0.1", h.server.port());
  REQUIRE(idle.Send("GET / HTTP/1.1\r\n"));
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  std::string r = idle.ReadAll(4s, &closed);
  CHECK(r.empty());  // libmicrohttpd closes without a 408
  CHECK(closed);
  CHECK(ElapsedSince(start) >= 900ms);
}

TEST_CASE("HTTP server: pipelined requests get one answer, then the close, a body on GET is fine", "[server][http]") {
  Harness h;
  std::string r = Exchange(h.server.port(), "GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\nGET /three HTTP/1.1\r\n\r\n");
  CHECK(StatusOf(r) == 200);
  CHECK(BodyOf(r) == "hello GET /one\n");
  CHECK(h.recorder.Last().path == "/one");

  std::string body = Exchange(h.server.port(), "GET /b HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'z'));
  CHECK(StatusOf(body) == 200);
  CHECK(BodyOf(body) == "hello GET /b\n");

  // A client that half-closes after its request still gets the answer.
  RawClient half("127.0.0.1", h.server.port());
  REQUIRE(half.Send("GET /half HTTP/1.1\r\n\r\n"));
  REQUIRE(half.ShutdownWrite());
  CHECK(BodyOf(half.ReadAll()) == "hello GET /half\n");
}
TEST_CASE("HTTP server: a handler exception becomes a 500", "[server][http]") {
  Harness h;
  std::string r = Get(h.server.port(), "/throw");
  CHECK(StatusOf(r) == 500);
  CHECK(BodyOf(r) == "internal server error\n");
  CHECK(StatusOf(Get(h.server.port(), "/after")) == 200);  // the server lives on
}

TEST_CASE("HTTP server: a silent client does not hold up others", "[server][http]") {
  Harness h;
  RawClient idle("127.0.0.1", h.server.port());
  REQUIRE(idle.connected());
  REQUIRE(idle.Send("GET /slow HTTP/1.1\r\n"));  // never finishes its head
  std::this_thread::sleep_for(50ms);
  auto start = std::chrono::steady_clock::now();
  CHECK(StatusOf(Get(h.server.port(), "/fast")) == 200);
  CHECK(ElapsedSince(start) < 1s);
}

TEST_CASE("HTTP server: idle, lingering and slow-reading clients do not hold up others", "[server][http]") {
  Harness h;  // one polling thread: none of them may block it
  std::vector<std::unique_ptr<RawClient>> idle, lingering, slow;
  for (int i = 0; i < 12; i++) {
    idle.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(idle.back()->Send("GET /idle HTTP/1.1\r\n"));  // never finishes its head
    lingering.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(lingering.back()->Send("GET /linger HTTP/1.1\r\n\r\n"));  // reads nothing and never closes
  }
  for (int i = 0; i < 5; i++) {
    slow.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(slow.back()->Send("GET /big HTTP/1.1\r\n\r\n"));  // 1 MiB it does not read
  }
  std::this_thread::sleep_for(100ms);  // let the server take them all in; not a synchronisation
  for (int i = 0; i < 5; i++) {
    auto start = std::chrono::steady_clock::now();
    CHECK(BodyOf(Get(h.server.port(), "/fast")) == "hello GET /fast\n");
    CHECK(ElapsedSince(start) < 500ms);
  }
}

TEST_CASE("HTTP server: at the connection cap the oldest idle connection makes room", "[server][http]") {
  HttpServerLimits limits;
  limits.max_connections = 3;
  Harness h(limits);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; i++) {
    idle.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(idle.back()->Send("GET /idle HTTP/1.1\r\n"));
    std::this_thread::sleep_for(20ms);  // so they are accepted in this order
  }
  auto start = std::chrono::steady_clock::now();
  CHECK(StatusOf(Get(h.server.port(), "/fresh")) == 200);
  CHECK(ElapsedSince(start) < 1s);
  bool closed = false;
  CHECK(idle[0]->ReadAll(1s, &closed).empty());
  CHECK(closed);  // the oldest was dropped without an answer
  closed = false;
  idle[2]->ReadAll(200ms, &closed);
  CHECK_FALSE(closed);  // the newest is still waiting for its head
  REQUIRE(idle[2]->Send("\r\n"));
  CHECK(BodyOf(idle[2]->ReadAll()) == "hello GET /idle\n");
}

TEST_CASE("HTTP server: the connection cap is at most half the descriptor limit", "[server][http]") {
  HttpServerLimits limits;
  limits.max_connections = 1 << 30;
  MhdServer s([](const HttpRequest&) { return HttpResponse{}; }, limits);
  rlimit nofile{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &nofile) == 0);
  if (nofile.rlim_cur != RLIM_INFINITY) CHECK(s.limits().max_connections == static_cast<int>(nofile.rlim_cur / 2));
}

TEST_CASE("HTTP server: Stop() returns promptly with an idle client connected, and twice", "[server][http]") {
  Harness h;
  RawClient idle("127.0.0.1", h.server.port());
  REQUIRE(idle.connected());
  std::this_thread::sleep_for(50ms);
  auto start = std::chrono::steady_clock::now();
  h.server.Stop();
  CHECK(ElapsedSince(start) < 1s);
  bool closed = false;
  CHECK(idle.ReadAll(1s, &closed).empty());
  CHECK(closed);  // dropped without an answer
  h.server.Stop();
  RawClient late("127.0.0.1", h.server.port());
  CHECK_FALSE(late.connected());
}

TEST_CASE("HTTP server: Start errors are values, IPv6 literals work", "[server][http]") {
  Harness h;
  MhdServer taken([](const HttpRequest&) { return HttpResponse{}; });
  Status s = taken.Start("127.0.0.1", h.server.port());
  CHECK(s.IsUnavailable());
  CHECK(s.message() == "listen on 127.0.0.1:" + std::to_string(h.server.port()) + ": Address already in use");

  MhdServer bogus([](const HttpRequest&) { return HttpResponse{}; });
  CHECK_FALSE(bogus.Start("not an address", 0).ok());
  CHECK_FALSE(bogus.Start("127.0.0.1", 70000).ok());

  MhdServer v6([](const HttpRequest& r) {
    HttpResponse res;
    res.body = r.path;
    return res;
  });
  Status listen6 = v6.Start("::1", 0);
  if (!listen6.ok()) {
    WARN("no IPv6 loopback here: " << listen6.message());
    return;
  }
  std::string r = Exchange(v6.port(), "GET /six HTTP/1.1\r\n\r\n", "::1");
  CHECK(StatusOf(r) == 200);
  CHECK(BodyOf(r) == "/six");
}

TEST_CASE("HTTP connections: the one closed for room has sent no head, else is the oldest answered", "[server][http]") {
  CHECK(PickConnectionToClose({}) == -1);
  CHECK(PickConnectionToClose({true, false, false}) == 1);
  CHECK(PickConnectionToClose({false, true}) == 0);
  CHECK(PickConnectionToClose({true, true}) == 0);
}
