// HttpServer over raw loopback sockets: answers, HEAD, queries, bad heads, idle/slow/hostile clients, the cap, Stop().
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <mutex>
#include <stdexcept>
#include <thread>

#include "server/http_server.h"
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
  HttpServerResponse operator()(const HttpServerRequest& req) {
    {
      std::lock_guard<std::mutex> l(mu);
      last = req;
    }
    if (req.path == "/throw") throw std::runtime_error("boom");
    HttpServerResponse res;
    if (req.path == "/big") res.body.assign(16 * 1024 * 1024, 'x');  // more than the socket buffers hold
    if (req.path == "/teapot") {
      res.status = 418;
      res.headers.emplace_back("X-Kind", "teapot");
    }
    res.body = "hello " + req.method + " " + req.path + "\n";
    return res;
  }
  HttpServerRequest Last() {
    std::lock_guard<std::mutex> l(mu);
    return last;
  }
  std::mutex mu;  // guards last
  HttpServerRequest last;
};

// An HttpServer on 127.0.0.1 with an ephemeral port, serving a Recorder.
struct Harness {
  Recorder recorder;
  HttpServer server;
  explicit Harness(HttpServerLimits limits = {})
      : server([this](const HttpServerRequest& r) { return recorder(r); }, limits) {
    REQUIRE(server.Listen("127.0.0.1", 0).ok());
    REQUIRE(server.port() > 0);
    REQUIRE(server.Start().ok());
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

  // An HTTP/1.0 client, and a request body the server never reads, are fine.
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
  HttpServerRequest req = h.recorder.Last();
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

TEST_CASE("HTTP server: a request head over 16 KiB gets 431, a longer line 414, a broken line 400", "[server][http]") {
  Harness h;
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  std::string r = Exchange(h.server.port(), big);
  CHECK(StatusOf(r) == 431);
  CHECK(BodyOf(r) == "request header fields too large\n");
  CHECK(HeaderOf(r, "Connection") == "close");

  std::string long_line = "GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\n\r\n";
  std::string ll = Exchange(h.server.port(), long_line);
  CHECK(StatusOf(ll) == 414);
  CHECK(BodyOf(ll) == "request line too long\n");

  // Just under the limit is fine.
  std::string fits = "GET / HTTP/1.1\r\nX-Big: " + std::string(16 * 1024 - 100, 'a') + "\r\n\r\n";
  CHECK(StatusOf(Exchange(h.server.port(), fits)) == 200);

  for (const char* bad : {"HELLO\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                          "GET nopath HTTP/1.1\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "\r\n\r\n"}) {
    INFO(bad);
    std::string br = Exchange(h.server.port(), bad);
    CHECK(StatusOf(br) == 400);
    CHECK(BodyOf(br) == "malformed request line\n");
  }
  for (const char* bad : {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET / HTTP/1.1\r\nName : x\r\n\r\n",
                          "GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nnocolon\r\n\r\n",
                          "GET / HTTP/1.1\r\nA: x\x01y\r\n\r\n", "GET / HTTP/1.1\r\n: empty\r\n\r\n"}) {
    INFO(bad);
    std::string br = Exchange(h.server.port(), bad);
    CHECK(StatusOf(br) == 400);
    CHECK(BodyOf(br) == "malformed header line\n");
  }
}

TEST_CASE("HTTP server: garbage is refused at once, not when the head would end", "[server][http]") {
  Harness h;
  for (std::string garbage : {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
                              std::string("\x00\x01\x02\xff", 4), std::string("GET /\x01")}) {
    RawClient c("127.0.0.1", h.server.port());
    REQUIRE(c.Send(garbage));  // no end of line, no end of head
    auto start = std::chrono::steady_clock::now();
    std::string r = c.ReadAll(2s);
    CHECK(StatusOf(r) == 400);
    CHECK(ElapsedSince(start) < 1s);
  }
}

TEST_CASE("HTTP server: a client that sends nothing gets 408 after the read timeout", "[server][http]") {
  HttpServerLimits limits;
  limits.read_timeout_ms = 300;
  Harness h(limits);
  RawClient idle("127.0.0.1", h.server.port());
  REQUIRE(idle.Send("GET / HTTP/1.1\r\n"));
  bool closed = false;
  std::string r = idle.ReadAll(3s, &closed);
  CHECK(StatusOf(r) == 408);
  CHECK(closed);
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
  CHECK(StatusOf(Get(h.server.port(), "/after")) == 200);  // the worker lives on
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
  Harness h;  // 4 workers: each kind below outnumbers them
  std::vector<std::unique_ptr<RawClient>> idle, lingering, slow;
  for (int i = 0; i < 3 * h.server.limits().workers; i++) {
    idle.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(idle.back()->Send("GET /idle HTTP/1.1\r\n"));  // never finishes its head
    lingering.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(lingering.back()->Send("GET /linger HTTP/1.1\r\n\r\n"));  // reads nothing and never closes
  }
  for (int i = 0; i <= h.server.limits().workers; i++) {
    slow.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(slow.back()->Send("GET /big HTTP/1.1\r\n\r\n"));  // 16 MiB it does not read
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
  HttpServer s([](const HttpServerRequest&) { return HttpServerResponse{}; }, limits);
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

TEST_CASE("HTTP server: Listen errors are values, IPv6 literals work", "[server][http]") {
  Harness h;
  HttpServer taken([](const HttpServerRequest&) { return HttpServerResponse{}; });
  Status s = taken.Listen("127.0.0.1", h.server.port());
  CHECK(s.IsUnavailable());
  CHECK(s.message() == "listen on 127.0.0.1:" + std::to_string(h.server.port()) + ": Address already in use");
  CHECK_FALSE(taken.Start().ok());

  HttpServer bogus([](const HttpServerRequest&) { return HttpServerResponse{}; });
  CHECK_FALSE(bogus.Listen("not an address", 0).ok());
  CHECK_FALSE(bogus.Listen("127.0.0.1", 70000).ok());

  HttpServer v6([](const HttpServerRequest& r) {
    HttpServerResponse res;
    res.body = r.path;
    return res;
  });
  Status listen6 = v6.Listen("::1", 0);
  if (!listen6.ok()) {
    WARN("no IPv6 loopback here: " << listen6.message());
    return;
  }
  REQUIRE(v6.Start().ok());
  std::string r = Exchange(v6.port(), "GET /six HTTP/1.1\r\n\r\n", "::1");
  CHECK(StatusOf(r) == 200);
  CHECK(BodyOf(r) == "/six");
}

TEST_CASE("HTTP messages: head end, request line, decoding, response head", "[server][http]") {
  CHECK(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n") == 0);
  CHECK(FindHeadEnd("GET / HTTP/1.1\r\n\r\nbody") == 18);
  CHECK(FindHeadEnd("GET / HTTP/1.1\n\n") == 16);

  HttpServerRequest req;
  REQUIRE(ParseRequestHead("DELETE /pods/a/b?x=%41 HTTP/1.1\r\nHost: h\r\n\r\n", &req));
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/pods/a/b");
  CHECK(req.query.at("x") == "A");
  CHECK_FALSE(ParseRequestHead("GET /a b HTTP/1.1\r\n\r\n", &req));
  CHECK_FALSE(ParseRequestHead("GET /\x01 HTTP/1.1\r\n\r\n", &req));

  CHECK(PercentDecode("100%25+%zz%4", false) == "100%+%zz%4");
  CHECK(PercentDecode("a+b%20c", true) == "a b c");

  HttpServerResponse res;
  res.status = 405;
  res.content_type = "text/plain";
  res.body = "no\n";
  res.headers = {{"Allow", "GET, HEAD"}, {"X-Bad", "a\r\nInjected: 1"}};
  CHECK(FormatResponseHead(res) ==
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nAllow: GET, HEAD\r\n"
        "Connection: close\r\n\r\n");
}

TEST_CASE("HTTP messages: CheckHead waits, completes or refuses as soon as the bytes show it", "[server][http]") {
  using K = HeadCheck::Kind;
  struct Row {
    std::string data;
    K kind;
    int status;
    size_t end;
  };
  const size_t max = 64;
  std::vector<Row> rows = {
      {"", K::kIncomplete, 0, 0},
      {"GE", K::kIncomplete, 0, 0},
      {"GET /x HTTP/1.1\r", K::kIncomplete, 0, 0},
      {"GET /x HTTP/1.1\r\nHost: a\r\n", K::kIncomplete, 0, 0},
      {"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", K::kComplete, 0, 28},
      {"GET /x HTTP/1.1\n\nbody", K::kComplete, 0, 17},
      {"GET /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n", K::kComplete, 0, 19},
      {"\x16\x03\x01", K::kRefused, 400, 0},
      {"GET /x\x01", K::kRefused, 400, 0},
      {"GET /x HTTP/9\r\n", K::kRefused, 400, 0},  // refused before the headers arrive
      {"GET /x HTTP/1.1\r\nA B: c\r\n\r\n", K::kRefused, 400, 0},
      {"GET /x HTTP/1.1\r\nA: c\x7f\r\n\r\n", K::kRefused, 400, 0},
      {"GET /x HTTP/1.1\r\nA: tab\tis fine\r\n\r\n", K::kComplete, 0, 35},
      {"GET /" + std::string(max, 'a'), K::kRefused, 414, 0},
      {"GET /" + std::string(max, 'a') + " HTTP/1.1\r\n\r\n", K::kRefused, 414, 0},
      // Found by fuzz/status_request_fuzzer: a control byte past the limit made the whole line 400, while the
      // server, which reads no further than the limit, had answered 414.
      {"GET /" + std::string(max, 'a') + "\x01 HTTP/1.1\r\n\r\n", K::kRefused, 414, 0},
      {"GET / HTTP/1.1\r\nA: " + std::string(max, 'a'), K::kRefused, 431, 0},
      {"GET / HTTP/1.1\r\nA: " + std::string(max, 'a') + "\r\n\r\n", K::kRefused, 431, 0},
  };
  for (const auto& row : rows) {
    INFO(row.data);
    HeadCheck c = CheckHead(row.data, max);
    CHECK(c.kind == row.kind);
    CHECK(c.status == row.status);
    if (row.kind == K::kComplete) CHECK(c.end == row.end);
  }
}

TEST_CASE("HTTP connections: the one closed for room lingers, else reads, else writes, never is handled",
          "[server][http]") {
  using P = ConnectionPhase;
  CHECK(PickConnectionToClose({}) == -1);
  CHECK(PickConnectionToClose({P::kHandling, P::kHandling}) == -1);
  CHECK(PickConnectionToClose({P::kHandling, P::kReading, P::kReading}) == 1);
  CHECK(PickConnectionToClose({P::kReading, P::kWriting, P::kLingering, P::kLingering}) == 2);
  CHECK(PickConnectionToClose({P::kHandling, P::kWriting, P::kReading}) == 2);
  CHECK(PickConnectionToClose({P::kHandling, P::kWriting}) == 1);
}
