// httpGet probes and hook requests against a tiny HTTP server on 127.0.0.1.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "probes/http_prober.h"
#include "probes_test_util.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::ClosedPort;
using crilet::testing::Since;
using crilet::testing::TestHttpServer;

namespace {

std::string Response(int code, const std::string& extra = "", const std::string& body = "ok") {
  return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "Connection: close\r\n\r\n" + body;
}

// Blocks a server handler until the test releases it (or 3 s pass), so the server can always shut down.
void Hold(const std::atomic<bool>& release) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!release && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace

TEST_CASE("HTTP probe: status codes, kubelet's default headers, redirects", "[probes][http]") {
  std::atomic<int> hits{0};
  TestHttpServer server([&](const std::string& path, const std::string&) -> std::string {
    hits++;
    if (path == "/ok") return Response(200, "", "fine");
    if (path == "/created") return Response(201);
    if (path == "/fail") return Response(500, "", "secret detail");
    if (path == "/notfound") return Response(404);
    if (path == "/moved") return Response(302, "Location: /ok\r\n");
    if (path == "/other-port") return Response(307, "Location: http://127.0.0.1:" + std::to_string(ClosedPort()) + "/x\r\n");
    if (path == "/away") return Response(301, "Location: http://127.0.0.2:1/elsewhere\r\n", "gone");
    if (path == "/loop") return Response(302, "Location: /loop\r\n");
    if (path == "/not-modified") return Response(304, "", "");
    if (path == "/q?x=1") return Response(200);
    return Response(418);
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpRequest req;
  req.url = base + "/ok";

  SECTION("200: success, body as output, kubelet's User-Agent and Accept, no keep-alive") {
    auto ok = HttpProbe(req);
    CHECK(ok.result == Result::kSuccess);
    CHECK(ok.output == "fine");
    CHECK_FALSE(ok.warning);
    std::string sent = server.last_request();
    CHECK(sent.rfind("GET /ok HTTP/1.1\r\n", 0) == 0);
    CHECK(sent.find("User-Agent: kube-probe/1.33\r\n") != std::string::npos);
    CHECK(sent.find("Accept: */*\r\n") != std::string::npos);
    CHECK(sent.find("Connection: close\r\n") != std::string::npos);
    req.url = base + "/created";
    CHECK(HttpProbe(req).result == Result::kSuccess);
    req.url = base + "/q?x=1";
    CHECK(HttpProbe(req).result == Result::kSuccess);
  }
  SECTION("500 and 404: failure without the body") {
    req.url = base + "/fail";
    auto fail = HttpProbe(req);
    CHECK(fail.result == Result::kFailure);
    CHECK(fail.output == "HTTP probe failed with statuscode: 500");
    req.url = base + "/notfound";
    CHECK(HttpProbe(req).output == "HTTP probe failed with statuscode: 404");
  }
  SECTION("redirect to the same host is followed (another port is still the same host)") {
    req.url = base + "/moved";
    auto moved = HttpProbe(req);
    CHECK(moved.result == Result::kSuccess);
    CHECK_FALSE(moved.warning);
    CHECK(moved.output == "fine");
    CHECK(hits == 2);
    req.url = base + "/other-port";
    auto other = HttpProbe(req);
    CHECK(other.result == Result::kFailure);  // followed to a closed port
    CHECK(other.output.find("connect: connection refused") != std::string::npos);
  }
  SECTION("redirect to another host is not followed: success with a warning") {
    req.url = base + "/away";
    auto away = HttpProbe(req);
    CHECK(away.result == Result::kSuccess);
    CHECK(away.warning);
    CHECK(away.output == "Probe terminated redirects, Response body: gone");
    CHECK(hits == 1);  // 127.0.0.2 was never asked
    HttpResponse r = HttpGet(req);
    CHECK(r.status == 301);
    CHECK(r.redirect_not_followed);
  }
  SECTION("a final 3xx without a redirect to follow is a warning too") {
    req.url = base + "/not-modified";
    auto nm = HttpProbe(req);
    CHECK(nm.result == Result::kSuccess);
    CHECK(nm.warning);
  }
  SECTION("a redirect loop stops after 10 requests and fails") {
    req.url = base + "/loop";
    auto loop = HttpProbe(req);
    CHECK(loop.result == Result::kFailure);
    CHECK(loop.output == "Get \"/loop\": stopped after 10 redirects");  // Go names the Location as sent
    CHECK(hits == 10);
  }
}

TEST_CASE("HTTP probe: httpHeaders override Host, User-Agent and Accept", "[probes][http]") {
  TestHttpServer server([](const std::string&, const std::string&) { return Response(200); });
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  req.headers = {{"Host", "example.test"}, {"User-Agent", "mine"}, {"Accept", ""}, {"X-Empty", ""}, {"X-Token", "t"}};
  CHECK(HttpProbe(req).result == Result::kSuccess);
  std::string sent = server.last_request();
  CHECK(sent.find("Host: example.test\r\n") != std::string::npos);
  CHECK(sent.find("User-Agent: mine\r\n") != std::string::npos);
  CHECK(sent.find("kube-probe") == std::string::npos);
  CHECK(sent.find("Accept:") == std::string::npos);  // an empty Accept removes it
  CHECK(sent.find("X-Empty:") != std::string::npos);
  CHECK(sent.find("X-Token: t\r\n") != std::string::npos);

  req.headers = {{"Accept", "application/json"}};
  req.user_agent = kLifecycleUserAgent;  // what httpGet hooks send
  HttpGet(req);
  sent = server.last_request();
  CHECK(sent.find("Accept: application/json\r\n") != std::string::npos);
  CHECK(sent.find("*/*") == std::string::npos);
  CHECK(sent.find("User-Agent: kube-lifecycle/1.33\r\n") != std::string::npos);
}

TEST_CASE("HTTP probe: connection refused, timeout, cancel, 10 KiB body", "[probes][http]") {
  std::atomic<bool> release{false};
  TestHttpServer server([&](const std::string& path, const std::string&) -> std::string {
    if (path == "/hang") {
      Hold(release);
      return Response(200);
    }
    if (path == "/stream") {
      // Promises 1 MiB and sends 20 KiB: kubelet reads 10 KiB and is done.
      return "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + std::string(20 * 1024, 'x');
    }
    return Response(200);
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpRequest req;

  SECTION("nothing listening: Go's dial error") {
    int port = ClosedPort();
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
    auto refused = HttpProbe(req);
    CHECK(refused.result == Result::kFailure);
    CHECK(refused.output == "Get \"http://127.0.0.1:" + std::to_string(port) +
                                "/healthz\": dial tcp 127.0.0.1:" + std::to_string(port) + ": connect: connection refused");
  }
  SECTION("no answer within the timeout") {
    req.url = base + "/hang";
    req.timeout = std::chrono::milliseconds(200);
    auto start = std::chrono::steady_clock::now();
    auto slow = HttpProbe(req);
    release = true;
    CHECK(slow.result == Result::kFailure);
    CHECK(slow.output == "Get \"" + base + "/hang\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    CHECK(Since(start) >= std::chrono::milliseconds(190));
    CHECK(Since(start) < std::chrono::milliseconds(600));
  }
  SECTION("the cancel flag ends a hanging request at once") {
    std::atomic<bool> cancel{false};
    req.url = base + "/hang";
    req.timeout = std::chrono::seconds(10);
    req.cancel = &cancel;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      cancel = true;
    });
    auto start = std::chrono::steady_clock::now();
    auto cancelled = HttpProbe(req);
    auto took = Since(start);
    canceller.join();
    release = true;
    CHECK(cancelled.result == Result::kFailure);
    CHECK(cancelled.output.find("context canceled") != std::string::npos);
    CHECK(took < std::chrono::milliseconds(300));
  }
  SECTION("at most 10 KiB of body is read") {
    req.url = base + "/stream";
    req.timeout = std::chrono::seconds(2);
    auto start = std::chrono::steady_clock::now();
    HttpResponse r = HttpGet(req);
    CHECK(r.status == 200);
    CHECK(r.body.size() == 10 * 1024);
    CHECK(Since(start) < std::chrono::milliseconds(1000));  // did not wait for the rest
  }
}

namespace {

// A probe run the way the probe manager's loop runs it: started on a CurlLoop without blocking, then driven
// by a poll over the loop's sockets until it ends (here from this thread, with WaitBlocking).
ProbeOutcome StartAndWait(const HttpRequest& req) {
  CurlLoop curl;
  ProbeStart s = HttpProbeStart(&curl, req);
  REQUIRE(s.pending);
  return WaitBlocking(s.pending.get(), &curl, nullptr, ProbeOutcome{Result::kUnknown, "cancelled", true, false});
}

}  // namespace

TEST_CASE("HTTP probe started on a caller's loop: same outcomes, texts and requests as the waiting client",
          "[probes][http]") {
  std::atomic<int> hits{0};
  std::atomic<bool> release{false};
  const int closed = ClosedPort();
  TestHttpServer server([&](const std::string& path, const std::string&) -> std::string {
    hits++;
    if (path == "/ok") return Response(200, "", "fine");
    if (path == "/fail") return Response(500, "", "secret detail");
    if (path == "/moved") return Response(302, "Location: /ok\r\n");
    if (path == "/other-port") return Response(307, "Location: http://127.0.0.1:" + std::to_string(closed) + "/x\r\n");
    if (path == "/away") return Response(301, "Location: http://127.0.0.2:1/elsewhere\r\n", "gone");
    if (path == "/loop") return Response(302, "Location: /loop\r\n");
    if (path == "/not-modified") return Response(304, "", "");
    if (path == "/chunked") return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    if (path == "/stream") return "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + std::string(20 * 1024, 'x');
    if (path == "/garbage") return "SSH-2.0-OpenSSH\r\n\r\n";
    if (path == "/hang") {
      Hold(release);
      return Response(200);
    }
    return "";  // closes without answering
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpRequest req;
  req.headers = {{"X-Probe", "1"}, {"Accept", "text/plain"}};
  for (std::string path : {"/ok", "/fail", "/moved", "/other-port", "/away", "/loop", "/not-modified", "/chunked",
                           "/stream", "/garbage", "/closes"}) {
    INFO(path);
    req.url = base + path;
    int before = hits;
    ProbeOutcome blocking = HttpProbe(req);
    int blocking_hits = hits - before;
    std::string blocking_request = server.last_request();
    before = hits;
    ProbeOutcome started = StartAndWait(req);
    CHECK(hits - before == blocking_hits);  // redirects followed the same way
    CHECK(server.last_request() == blocking_request);
    CHECK(started.result == blocking.result);
    CHECK(started.output == blocking.output);
    CHECK(started.warning == blocking.warning);
    CHECK(started.error == blocking.error);
  }
  CHECK(StartAndWait(HttpRequest{base + "/ok", {}, std::chrono::milliseconds(1000)}).output == "fine");

  SECTION("refused: Go's dial error") {
    int port = ClosedPort();
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
    CHECK(StartAndWait(req).output == HttpProbe(req).output);
  }
  SECTION("no answer: the timeout's text once the deadline passed") {
    req.url = base + "/hang";
    req.timeout = std::chrono::milliseconds(200);
    auto start = std::chrono::steady_clock::now();
    ProbeOutcome slow = StartAndWait(req);
    release = true;
    CHECK(slow.output == "Get \"" + base + "/hang\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    CHECK(Since(start) >= std::chrono::milliseconds(190));
    CHECK(Since(start) < std::chrono::milliseconds(600));
  }
  SECTION("a host name is resolved by the loop's threaded resolver, not left to another thread") {
    req.url = "http://localhost:" + std::to_string(server.port()) + "/ok";
    ProbeOutcome name = StartAndWait(req);
    CHECK(name.result == Result::kSuccess);
    CHECK(name.output == "fine");
  }
  release = true;
}
