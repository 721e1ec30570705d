// HttpServer over raw loopback sockets: answers, HEAD, queries, bad heads, slow clients, the cap and Stop().
#include <catch2/catch.hpp>

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
  HttpServer server{[this](const HttpServerRequest& r) { return recorder(r); }};
  Harness() {
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

TEST_CASE("HTTP server: a request head over 16 KiB gets 431, a broken request line 400", "[server][http]") {
  Harness h;
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  std::string r = Exchange(h.server.port(), big);
  CHECK(StatusOf(r) == 431);
  CHECK(HeaderOf(r, "Connection") == "close");

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

TEST_CASE("HTTP server: at 4 connections the next waits in the backlog until one ends", "[server][http]") {
  Harness h;
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < HttpServer::kMaxConnections; i++) {
    idle.push_back(std::make_unique<RawClient>("127.0.0.1", h.server.port()));
    REQUIRE(idle.back()->connected());
  }
  std::this_thread::sleep_for(100ms);
  RawClient waiting("127.0.0.1", h.server.port());  // the kernel completes the handshake; nobody reads yet
  REQUIRE(waiting.connected());
  REQUIRE(waiting.Send("GET /queued HTTP/1.1\r\n\r\n"));
  CHECK(waiting.ReadAll(300ms).empty());

  idle[0]->Close();  // frees a worker: its read sees the end of the stream
  auto start = std::chrono::steady_clock::now();
  std::string r = waiting.ReadAll(2s);
  CHECK(StatusOf(r) == 200);
  CHECK(BodyOf(r) == "hello GET /queued\n");
  CHECK(ElapsedSince(start) < 1s);
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

TEST_CASE("HTTP server: Listen errors are values; IPv6 literals work", "[server][http]") {
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
