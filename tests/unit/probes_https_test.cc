// httpGet probes over HTTPS (certificates not checked, as kubelet) and the manifest URL source (checked).
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <thread>

#include "common/clock.h"
#include "cri/fake_runtime.h"
#include "manifests/url_source.h"
#include "probes/http_prober.h"
#include "probes/probe_manager.h"
#include "probes_test_util.h"
#include "test_http_server.h"

using namespace crilet;

namespace {

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


TEST_CASE("HTTPS probe against a server that never answers the ClientHello: kubelet's timeout text, on time",
          "[probes][http][tls]") {
  int port = 0;
  int lfd = testing::BindLoopback(&port);
  listen(lfd, 16);  // the kernel completes the TCP handshake; nobody ever reads the ClientHello
  probes::HttpRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(port) + "/healthz";
  req.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto out = probes::HttpProbe(req);
  auto took = testing::Since(start);
  CHECK(out.result == probes::Result::kFailure);
  CHECK_FALSE(out.error);
  CHECK(out.output == "Get \"" + req.url + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
  CHECK(took >= std::chrono::milliseconds(290));
  CHECK(took < std::chrono::milliseconds(800));
  close(lfd);
}

TEST_CASE("loop: a stalled TLS handshake delays no other probe", "[probes][manager][loop][tls]") {
  int stalled = 0;
  int lfd = testing::BindLoopback(&stalled);
  listen(lfd, 16);
  std::atomic<int> fast{0};
  testing::TestHttpServer server([&](const std::string&, const std::string&) -> std::string {
    fast++;
    return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  });
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  testing::RecordingSink sink;
  manifests::Pod pod;
  pod.metadata.uid = "u1";
  pod.metadata.name = "p";
  auto container = [&](const std::string& name, const std::string& scheme, int port) {
    manifests::Container c;
    c.name = name;
    c.readiness_probe = testing::MakeProbe(1, 1);  // timeout 1 s
    c.readiness_probe->handler.http_get = manifests::HttpGetAction{"/", manifests::IntOrString::Int(port), "", scheme, {}};
    pod.spec.containers.push_back(c);
    return probes::ProbeTarget{"id-" + name, name, true, ToUnixNanos(clock.Now())};
  };
  std::vector<probes::ProbeTarget> targets = {container("tls", "HTTPS", stalled), container("plain", "HTTP", server.port())};
  probes::ProbeManager::Options o;
  o.jitter = false;
  o.time_unit = std::chrono::milliseconds(100);  // period 100 ms
  o.slots_per_unit = 1;
  probes::ProbeManager m(&rt, &clock, &sink, nullptr, nullptr, o);
  m.Start();
  const auto start = std::chrono::steady_clock::now();
  m.UpdatePod(pod, "127.0.0.1", targets);
  // While the handshake hangs for its 1 s timeout, the plain probe runs every 100 ms.
  REQUIRE(testing::Eventually([&] { return fast >= 8; }, std::chrono::seconds(2)));
  CHECK(testing::Since(start) < std::chrono::milliseconds(1500));
  const std::string text = "Warning Unhealthy Readiness probe failed: Get \"https://127.0.0.1:" + std::to_string(stalled) +
                           "/\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
  CHECK(testing::Eventually([&] { return sink.Has(text); }, std::chrono::seconds(3)));
  auto [p50, p99] = m.StartDelayQuantiles();
  CHECK(p99 < 0.1);
  m.Stop();
  close(lfd);
}
