// The manifest URL source over libcurl: conditional requests (pure rules and against a server), prompt stop.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "manifests/url_conditional.h"
#include "manifests/url_source.h"
#include "test_concurrent_server.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::manifests;
using namespace std::chrono;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string PodYaml(const std::string& name) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers:\n  - {name: a, image: i}\n";
}

std::string Names(const FileState& s) {
  std::string out;
  for (const auto& p : s.pods) out += (out.empty() ? "" : ",") + p.metadata.name;
  return out;
}

}  // namespace

TEST_CASE("conditional GET: validators become If-None-Match and If-Modified-Since", "[sources][url]") {
  CHECK(ConditionalHeaders({}).empty());  // nothing loaded yet: an unconditional GET
  CHECK(ConditionalHeaders({"\"v1\"", ""}) == Headers{{"If-None-Match", "\"v1\""}});
  CHECK(ConditionalHeaders({"", "Sun, 06 Dec 2026 10:00:00 GMT"}) ==
        Headers{{"If-Modified-Since", "Sun, 06 Dec 2026 10:00:00 GMT"}});
  CHECK(ConditionalHeaders({"W/\"v1\"", "Sun, 06 Dec 2026 10:00:00 GMT"}) ==
        Headers{{"If-None-Match", "W/\"v1\""}, {"If-Modified-Since", "Sun, 06 Dec 2026 10:00:00 GMT"}});
}

TEST_CASE("conditional GET: what a 304, a 200 and the rest mean", "[sources][url]") {
  const UrlValidators held{"\"v1\"", ""};
  CHECK(JudgeAnswer(held, 304) == UrlVerdict::kUnchanged);
  CHECK(JudgeAnswer({}, 304) == UrlVerdict::kFailed);  // a 304 to a request that was not conditional
  CHECK(JudgeAnswer(held, 200) == UrlVerdict::kLoad);
  CHECK(JudgeAnswer({}, 200) == UrlVerdict::kLoad);
  CHECK(JudgeAnswer(held, 500) == UrlVerdict::kFailed);
  CHECK(JudgeAnswer(held, 0) == UrlVerdict::kFailed);  // no answer at all

  const UrlValidators answered{"\"v2\"", "Mon, 07 Dec 2026 00:00:00 GMT"};
  CHECK(ValidatorsAfter(held, UrlVerdict::kLoad, true, answered) == answered);  // the pods come from it now
  CHECK(ValidatorsAfter(held, UrlVerdict::kLoad, true, {}) == UrlValidators{});  // no validators: ask plainly
  CHECK(ValidatorsAfter(held, UrlVerdict::kLoad, false, answered) == held);  // invalid body: the kept pods' own
  CHECK(ValidatorsAfter(held, UrlVerdict::kUnchanged, false, {}) == held);
  CHECK(ValidatorsAfter(held, UrlVerdict::kFailed, false, answered) == held);
}

TEST_CASE("the URL source asks conditionally, a 304 keeps the pods and clears old problems", "[sources][url]") {
  std::mutex mu;
  std::string answer;
  crilet::testing::TestHttpServer server([&](const std::string&, const std::string&) {
    std::lock_guard<std::mutex> l(mu);
    return answer;
  });
  auto serve = [&](std::string a) {
    std::lock_guard<std::mutex> l(mu);
    answer = std::move(a);
  };
  auto ok = [](const std::string& body, const std::string& validators) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + validators + "\r\n" + body;
  };
  int changes = 0;
  FileState seen;
  UrlSource::Options o;
  o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/pods";
  o.node_name = "n1";
  UrlSource source(o, [&](const FileState& s) {
    ++changes;
    seen = s;
  });

  serve(ok(PodYaml("one"), "ETag: \"v1\"\r\nLast-Modified: Sun, 06 Dec 2026 10:00:00 GMT\r\n"));
  source.FetchOnce();
  CHECK(Names(seen) == "one-n1");
  CHECK(server.last_request().find("If-None-Match") == std::string::npos);
  CHECK(changes == 1);

  serve("HTTP/1.1 304 Not Modified\r\n\r\n");
  source.FetchOnce();
  CHECK(server.last_request().find("If-None-Match: \"v1\"\r\n") != std::string::npos);
  CHECK(server.last_request().find("If-Modified-Since: Sun, 06 Dec 2026 10:00:00 GMT\r\n") != std::string::npos);
  CHECK(changes == 1);  // nothing changed, nothing reported

  serve("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
  source.FetchOnce();
  REQUIRE(changes == 2);
  REQUIRE(seen.errors.size() == 1);
  CHECK(seen.errors[0].message == "cannot fetch manifests: HTTP status 500 (keeping the last pods)");
  serve("HTTP/1.1 304 Not Modified\r\n\r\n");
  source.FetchOnce();
  CHECK(changes == 3);
  CHECK(seen.errors.empty());
  CHECK(Names(seen) == "one-n1");

  serve(ok("kind: Pod\nmetadata: [", "ETag: \"broken\"\r\n"));  // invalid: the kept pods keep their ETag
  source.FetchOnce();
  CHECK_FALSE(seen.errors.empty());
  CHECK(Names(seen) == "one-n1");
  serve("HTTP/1.1 304 Not Modified\r\n\r\n");
  source.FetchOnce();
  CHECK(server.last_request().find("If-None-Match: \"v1\"\r\n") != std::string::npos);
  CHECK(seen.errors.empty());  // the edit was reverted: the served manifest is the kept one again

  serve(ok(PodYaml("two"), ""));  // a new manifest without validators: the next request is plain
  source.FetchOnce();
  CHECK(Names(seen) == "two-n1");
  serve(ok(PodYaml("two"), ""));
  source.FetchOnce();
  CHECK(server.last_request().find("If-") == std::string::npos);
}

TEST_CASE("the URL source stops within 50 ms of Stop while a fetch hangs", "[sources][url]") {
  std::atomic<int> served{0};
  crilet::testing::ConcurrentServer server([&](const std::string&) -> std::string {
    if (served++ > 0) return "";  // the second request never gets an answer
    std::string body = PodYaml("one");
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  UrlSource::Options o;
  o.url = server.base() + "/pods";
  o.period = hours(1);
  std::atomic<int> changes{0};
  UrlSource source(o, [&](const FileState&) { ++changes; });
  source.Start();
  CHECK(changes == 1);
  source.Rescan();
  const auto until = steady_clock::now() + seconds(5);
  while (server.requests() < 2 && steady_clock::now() < until) std::this_thread::sleep_for(milliseconds(2));
  REQUIRE(server.requests() == 2);
  const auto start = steady_clock::now();
  source.Stop();
  CHECK(steady_clock::now() - start < milliseconds(100));  // 50 ms slices, with room for a loaded machine
  CHECK(changes == 1);  // the abandoned fetch reports nothing
}

TEST_CASE("HttpFetch: headers sent, redirects followed, size cap, readable errors", "[http]") {
  crilet::testing::TestHttpServer server([](const std::string& path, const std::string&) -> std::string {
    if (path == "/old") return "HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n";
    if (path == "/new") return "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npods";
    if (path == "/loop") return "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n";
    return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  std::string body, error;
  CHECK(HttpFetch(base + "/old", {{"Authorization", "Bearer t"}}, std::chrono::seconds(2), &body, &error) == 200);
  CHECK(body == "pods");
  CHECK(server.last_request().find("Authorization: Bearer t\r\n") != std::string::npos);

  CHECK(HttpFetch(base + "/missing", {}, std::chrono::seconds(2), &body, &error) == 404);
  CHECK(HttpFetch(base + "/loop", {}, std::chrono::seconds(2), &body, &error) == 0);
  CHECK(error == "more than 5 redirects");
  CHECK(HttpFetch(base + "/new", {}, std::chrono::seconds(2), &body, &error, 3) == 0);
  CHECK(error == "answer larger than 3 bytes");

  int closed = crilet::testing::ClosedPort();
  CHECK(HttpFetch("http://127.0.0.1:" + std::to_string(closed) + "/", {}, std::chrono::seconds(2), &body,
                             &error) == 0);
  CHECK(error == "connect to 127.0.0.1:" + std::to_string(closed) + ": Connection refused");
  CHECK(HttpFetch("gopher://x/", {}, std::chrono::seconds(2), &body, &error) == 0);
  CHECK(error == "unsupported protocol scheme \"gopher\"");
}
