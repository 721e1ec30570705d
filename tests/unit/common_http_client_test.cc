// crilet's HTTP client: URL parsing, Location resolution, body framing and caps, errors, TLS, HttpFetch.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <thread>

#include "common/http_client.h"
#include "manifests/url_source.h"
#include "probes/http_prober.h"
#include "probes_test_util.h"
#include "test_http_server.h"

using namespace crilet;
using crilet::testing::ClosedPort;
using crilet::testing::TestHttpServer;

namespace {

Url MustParse(const std::string& s) {
  Url u;
  std::string error;
  REQUIRE(ParseUrl(s, &u, &error));
  return u;
}

// A TLS server on 127.0.0.1 with a fresh self-signed certificate, answering each connection with `response`.
class TestTlsServer {
 public:
  explicit TestTlsServer(std::string response) : response_(std::move(response)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("crilet-test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    fd_ = testing::BindLoopback(&port_);
    listen(fd_, 8);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        SSL* ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) {
          char buf[4096];
          SSL_read(ssl, buf, sizeof buf);
          SSL_write(ssl, response_.data(), static_cast<int>(response_.size()));
          SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        close(c);
      }
    });
  }
  ~TestTlsServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  int port() const { return port_; }

 private:
  std::string response_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("URL parsing: defaults, ports, IPv6, targets and errors", "[http]") {
  Url u = MustParse("http://10.0.0.1");
  CHECK(u.scheme == "http");
  CHECK(u.host == "10.0.0.1");
  CHECK(u.port == 80);
  CHECK(u.target == "/");
  CHECK(u.Authority() == "10.0.0.1");
  CHECK(u.HostPort() == "10.0.0.1:80");

  u = MustParse("HTTPS://example.test:8443/a/b?x=1#frag");
  CHECK(u.scheme == "https");
  CHECK(u.port == 8443);
  CHECK(u.target == "/a/b?x=1");
  CHECK(u.Authority() == "example.test:8443");

  u = MustParse("https://example.test:443/");
  CHECK(u.Authority() == "example.test");  // the default port is left out of Host

  u = MustParse("http://[fd00::1]:8080/healthz");
  CHECK(u.host == "fd00::1");
  CHECK(u.port == 8080);
  CHECK(u.Authority() == "[fd00::1]:8080");

  u = MustParse("http://user:pw@h?q");
  CHECK(u.host == "h");
  CHECK(u.target == "/?q");

  Url bad;
  std::string error;
  CHECK_FALSE(ParseUrl("ftp://h/", &bad, &error));
  CHECK(error == "unsupported protocol scheme \"ftp\"");
  CHECK_FALSE(ParseUrl("h:80/x", &bad, &error));
  CHECK_FALSE(ParseUrl("http://h:99999/", &bad, &error));
  CHECK(error.find("invalid port \"99999\"") != std::string::npos);
  CHECK_FALSE(ParseUrl("http://:80/", &bad, &error));
  CHECK_FALSE(ParseUrl("http://[fd00::1/", &bad, &error));
}

TEST_CASE("Location headers resolve against the request URL", "[http]") {
  Url base = MustParse("http://10.0.0.1:8080/a/b?x=1");
  CHECK(ResolveLocation(base, "https://other/z") == "https://other/z");
  CHECK(ResolveLocation(base, "//other:1/z") == "http://other:1/z");
  CHECK(ResolveLocation(base, "/root") == "http://10.0.0.1:8080/root");
  CHECK(ResolveLocation(base, "c") == "http://10.0.0.1:8080/a/c");
  CHECK(ResolveLocation(base, "?y=2") == "http://10.0.0.1:8080/a/b?y=2");
}

TEST_CASE("HTTP client: body framing, caps and broken answers", "[http]") {
  TestHttpServer server([](const std::string& path, const std::string&) -> std::string {
    if (path == "/chunked") {
      return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";
    }
    if (path == "/length") return "HTTP/1.1 201 Created\r\nContent-Length: 3\r\nX-Two: a\r\nX-Two: b\r\n\r\nabcTRAILING";
    if (path == "/close") return "HTTP/1.0 200 OK\r\n\r\nuntil the end";
    if (path == "/continue") return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    if (path == "/big") return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
    if (path == "/short") return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this";
    if (path == "/garbage") return "SSH-2.0-OpenSSH\r\n\r\n";
    return "";  // close without answering
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpGetOptions o;
  o.timeout = std::chrono::seconds(2);

  HttpResult r = HttpGetOnce(MustParse(base + "/chunked"), o);
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == "hello, world");
  CHECK(server.last_request().rfind("GET /chunked HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n", 0) == 0);

  r = HttpGetOnce(MustParse(base + "/length"), o);
  CHECK(r.status == 201);
  CHECK(r.body == "abc");  // Content-Length bounds the body
  CHECK(r.Header("x-two") == "a");

  r = HttpGetOnce(MustParse(base + "/close"), o);
  CHECK(r.body == "until the end");

  r = HttpGetOnce(MustParse(base + "/continue"), o);
  CHECK(r.status == 204);

  o.max_body = 10;
  r = HttpGetOnce(MustParse(base + "/big"), o);
  CHECK(r.ok());
  CHECK(r.body == std::string(10, 'x'));
  CHECK(r.truncated);
  o.truncate = false;
  r = HttpGetOnce(MustParse(base + "/big"), o);
  CHECK(r.error == HttpError::kTooLarge);
  CHECK(r.message == "answer larger than 10 bytes");

  o.max_body = 1024;
  r = HttpGetOnce(MustParse(base + "/short"), o);
  CHECK(r.error == HttpError::kBody);  // the head came: reading the body failed
  CHECK(r.status == 200);
  CHECK(r.body == "only this");
  CHECK(r.message == "unexpected EOF");
  r = HttpGetOnce(MustParse(base + "/garbage"), o);
  CHECK(r.error == HttpError::kProtocol);
  CHECK(r.message == "net/http: HTTP/1.x transport connection broken: malformed HTTP response \"SSH-2.0-OpenSSH\"");
  r = HttpGetOnce(MustParse(base + "/silent"), o);
  CHECK(r.error == HttpError::kProtocol);
  CHECK(r.message == "EOF");

  r = HttpGetOnce(MustParse("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"), o);
  CHECK(r.error == HttpError::kConnect);
  CHECK(r.os_errno == ECONNREFUSED);
}

TEST_CASE("HTTPS: probes skip certificate checks, the manifest URL source does not", "[http]") {
  TestTlsServer server("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure");
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/healthz";

  probes::HttpRequest req;
  req.url = url;
  req.timeout = std::chrono::seconds(2);
  auto probe = probes::HttpProbe(req);
  CHECK(probe.result == probes::Result::kSuccess);
  CHECK(probe.output == "secure");

  std::string body, error;
  long code = manifests::HttpFetch(url, {}, std::chrono::seconds(2), &body, &error);
  CHECK(code == 0);
  CHECK(error.find("certificate") != std::string::npos);
}

TEST_CASE("HttpFetch: headers sent, redirects followed, size cap, readable errors", "[http]") {
  TestHttpServer server([](const std::string& path, const std::string&) -> std::string {
    if (path == "/old") return "HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n";
    if (path == "/new") return "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npods";
    if (path == "/loop") return "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n";
    return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  std::string body, error;
  CHECK(manifests::HttpFetch(base + "/old", {{"Authorization", "Bearer t"}}, std::chrono::seconds(2), &body, &error) == 200);
  CHECK(body == "pods");
  CHECK(server.last_request().find("Authorization: Bearer t\r\n") != std::string::npos);

  CHECK(manifests::HttpFetch(base + "/missing", {}, std::chrono::seconds(2), &body, &error) == 404);
  CHECK(manifests::HttpFetch(base + "/loop", {}, std::chrono::seconds(2), &body, &error) == 0);
  CHECK(error == "more than 5 redirects");
  CHECK(manifests::HttpFetch(base + "/new", {}, std::chrono::seconds(2), &body, &error, 3) == 0);
  CHECK(error == "answer larger than 3 bytes");

  int closed = ClosedPort();
  CHECK(manifests::HttpFetch("http://127.0.0.1:" + std::to_string(closed) + "/", {}, std::chrono::seconds(2), &body,
                             &error) == 0);
  CHECK(error == "connect to 127.0.0.1:" + std::to_string(closed) + ": Connection refused");
  CHECK(manifests::HttpFetch("gopher://x/", {}, std::chrono::seconds(2), &body, &error) == 0);
  CHECK(error == "unsupported protocol scheme \"gopher\"");
}
