// CurlLoop against a loopback server: answers, failures, caps, redirects, many requests on one poll loop.
#include <catch2/catch.hpp>

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/curl_loop.h"
#include "loopback.h"
#include "test_concurrent_server.h"

using namespace crilet;
using namespace std::chrono;
using crilet::testing::ClosedPort;
using crilet::testing::ConcurrentServer;

namespace {

std::string Answer(int code, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra + "\r\n" + body;
}

// The caller's side as the probe manager would write it: its own poll over the loop's fds and deadline.
void RunUntil(CurlLoop* loop, const std::function<bool()>& done, milliseconds limit = seconds(10)) {
  const auto end = steady_clock::now() + limit;
  while (!done() && steady_clock::now() < end) {
    std::vector<pollfd> fds;
    loop->AppendPollFds(&fds);
    auto now = steady_clock::now();
    auto until = std::min(loop->NextDeadline(), end);
    int ms = static_cast<int>(ceil<milliseconds>(std::max(until, now) - now).count());
    poll(fds.data(), fds.size(), ms);
    loop->Process(fds.data(), fds.size(), steady_clock::now());
  }
}

CurlLoop::Response Get(CurlLoop* loop, CurlLoop::Request req) {
  std::optional<CurlLoop::Response> got;
  loop->Start(req, [&](CurlLoop::Response r) { got = std::move(r); });
  RunUntil(loop, [&] { return got.has_value(); });
  REQUIRE(got);
  return *got;
}

CurlLoop::Request Req(const std::string& url) {
  CurlLoop::Request r;
  r.url = url;
  r.timeout = seconds(5);
  return r;
}

}  // namespace

TEST_CASE("curl loop: a 200 with its headers and body, the request's headers as given", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return Answer(200, "fine", "X-Two: a\r\nX-Two: b\r\n"); });
  CurlLoop loop;
  auto req = Req(server.base() + "/healthz?x=1");
  req.headers = {{"User-Agent", "kube-probe/1.31"}, {"X-Empty", ""}};
  auto r = Get(&loop, req);
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == "fine");
  CHECK_FALSE(r.truncated);
  CHECK(r.Header("x-two") == "a");
  CHECK(r.redirect_url.empty());
  const std::string sent = server.last_request();
  CHECK(sent.rfind("GET /healthz?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n", 0) == 0);
  CHECK(sent.find("User-Agent: kube-probe/1.31\r\n") != std::string::npos);
  CHECK(sent.find("X-Empty:\r\n") != std::string::npos);  // sent, with an empty value
  CHECK(sent.find("Accept") == std::string::npos);         // libcurl's default is not added
  CHECK(loop.running() == 0);
}

TEST_CASE("curl loop: a 404 is an answer, not a failure", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return Answer(404, "nope"); });
  CurlLoop loop;
  auto r = Get(&loop, Req(server.base() + "/missing"));
  CHECK(r.ok());
  CHECK(r.status == 404);
  CHECK(r.body == "nope");
}

TEST_CASE("curl loop: a refused connection is kConnect with its errno", "[http][curl]") {
  CurlLoop loop;
  auto r = Get(&loop, Req("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"));
  CHECK(r.failure == CurlLoop::Failure::kConnect);
  CHECK(r.os_errno == ECONNREFUSED);
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
}

TEST_CASE("curl loop: a server that accepts and never answers times out on time", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return std::string(); });
  CurlLoop loop;
  auto req = Req(server.base() + "/hang");
  req.timeout = milliseconds(300);
  const auto start = steady_clock::now();
  auto r = Get(&loop, req);
  const auto took = steady_clock::now() - start;
  CHECK(r.failure == CurlLoop::Failure::kTimeout);
  CHECK(took >= milliseconds(290));
  CHECK(took < milliseconds(1000));
}

TEST_CASE("curl loop: a body over the cap is cut for probes and refused for manifests", "[http][curl]") {
  ConcurrentServer server([](const std::string& path) {
    if (path == "/chunked") {
      return std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n") + std::string(20, 'y') +
             "\r\n0\r\n\r\n";
    }
    return Answer(200, std::string(100, 'x'));
  });
  CurlLoop loop;
  auto req = Req(server.base() + "/big");
  req.max_body = 10;
  auto r = Get(&loop, req);
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == std::string(10, 'x'));
  CHECK(r.truncated);

  req.truncate_body = false;
  r = Get(&loop, req);  // refused on its Content-Length
  CHECK(r.failure == CurlLoop::Failure::kTooLarge);
  CHECK(r.error == "answer larger than 10 bytes");

  req.url = server.base() + "/chunked";  // no length known in advance: refused while reading
  r = Get(&loop, req);
  CHECK(r.failure == CurlLoop::Failure::kTooLarge);
  CHECK(r.error == "answer larger than 10 bytes");
}

TEST_CASE("curl loop: a redirect is not followed, its Location is exposed, resolved", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return Answer(302, "", "Location: /new?x=1\r\n"); });
  CurlLoop loop;
  auto r = Get(&loop, Req(server.base() + "/old/path"));
  REQUIRE(r.ok());
  CHECK(r.status == 302);
  CHECK(r.Header("Location") == "/new?x=1");
  CHECK(r.redirect_url == server.base() + "/new?x=1");
  CHECK(server.requests() == 1);
}

TEST_CASE("curl loop: many requests run at once on one loop", "[http][curl]") {
  constexpr int kRequests = 40;
  // No answer is written before all 40 requests are in: only concurrent requests can finish.
  ConcurrentServer server([](const std::string& path) { return Answer(200, path); }, kRequests);
  CurlLoop loop;
  std::map<int, CurlLoop::Response> got;
  for (int i = 0; i < kRequests; ++i) {
    loop.Start(Req(server.base() + "/r" + std::to_string(i)), [&got, i](CurlLoop::Response r) { got[i] = std::move(r); });
  }
  CHECK(loop.running() == kRequests);
  const auto start = steady_clock::now();
  RunUntil(&loop, [&] { return got.size() == kRequests; });
  REQUIRE(got.size() == kRequests);
  for (auto& [i, r] : got) {
    CHECK(r.status == 200);
    CHECK(r.body == "/r" + std::to_string(i));
  }
  CHECK(steady_clock::now() - start < seconds(3));
}

TEST_CASE("curl loop: callbacks come from Process only, cancel drops a request silently", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return std::string(); });
  CurlLoop loop;
  int calls = 0;
  auto bad = Req(server.base() + "/");
  bad.headers = {{"X-Bad", "a\r\nInjected: yes"}};
  loop.Start(bad, [&](CurlLoop::Response r) {
    ++calls;
    CHECK(r.failure == CurlLoop::Failure::kBadUrl);
    CHECK(r.error == "invalid header field \"X-Bad\"");
  });
  CHECK(calls == 0);  // not from inside Start
  CHECK(loop.NextDeadline() <= steady_clock::now());
  RunUntil(&loop, [&] { return calls == 1; });
  CHECK(calls == 1);

  bool called = false;
  auto id = loop.Start(Req(server.base() + "/hang"), [&](CurlLoop::Response) { called = true; });
  RunUntil(&loop, [&] { return server.requests() == 1; });
  loop.Cancel(id);
  CHECK(loop.running() == 0);
  std::vector<pollfd> fds;
  loop.AppendPollFds(&fds);
  CHECK(fds.empty());  // the socket went with it
  loop.Poll(milliseconds(50));
  CHECK_FALSE(called);

  // Two requests that end in one Process: the first's callback cancels the second, which stays silent.
  CurlLoop::RequestId second = 0;
  int first_calls = 0;
  loop.Start(bad, [&](CurlLoop::Response) {
    ++first_calls;
    loop.Cancel(second);
  });
  second = loop.Start(bad, [&](CurlLoop::Response) { called = true; });
  loop.Poll(milliseconds(50));
  CHECK(first_calls == 1);
  CHECK_FALSE(called);

  auto other = Get(&loop, Req("ftp://127.0.0.1/"));
  CHECK(other.failure == CurlLoop::Failure::kBadUrl);
}

TEST_CASE("curl loop: a host name is resolved without blocking the loop", "[http][curl]") {
  ConcurrentServer server([](const std::string&) { return Answer(200, "by name"); });
  CurlLoop loop;
  auto r = Get(&loop, Req("http://localhost:" + std::to_string(server.port()) + "/"));
  REQUIRE(r.ok());
  CHECK(r.body == "by name");
}

// Hidden: needs a name server that never answers. tests/unit/slow_dns.sh runs it in its own mount and
// network namespaces, with /etc/resolv.conf naming 127.0.0.1, where this test holds UDP port 53 silent.
TEST_CASE("curl loop: a name server that never answers neither blocks the loop nor a cancel", "[.slowdns]") {
  int dns = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(53);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(dns, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  CurlLoop loop;
  auto req = Req("http://slow-name.test/");
  req.timeout = milliseconds(300);

  auto start = steady_clock::now();
  auto r = Get(&loop, req);
  CHECK(r.failure == CurlLoop::Failure::kTimeout);
  CHECK(steady_clock::now() - start < milliseconds(600));  // glibc's resolver would take 5 s per try

  int calls = 0;
  auto id = loop.Start(req, [&](CurlLoop::Response) { ++calls; });
  loop.Poll(milliseconds(50));  // the resolver thread is asking now
  start = steady_clock::now();
  loop.Cancel(id);
  CHECK(steady_clock::now() - start < milliseconds(50));
  CHECK(calls == 0);
  close(dns);
}
