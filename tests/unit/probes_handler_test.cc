// Running a probe spec's handler: ports by name, URLs, hosts and the errors kubelet retries.
#include <catch2/catch.hpp>

#include "cri/fake_runtime.h"
#include "probes/probe_handler.h"
#include "probes_test_util.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::probes;
using crilet::testing::MakeProbe;
using crilet::testing::TestHttpServer;

TEST_CASE("probe targets: named ports and kubelet's URL format", "[probes][handler]") {
  manifests::Container c;
  c.name = "web";
  c.ports = {manifests::ContainerPort{"http", 8080, 0, "TCP", ""}, manifests::ContainerPort{"admin", 9000, 0, "TCP", ""}};
  CHECK(ResolvePort(manifests::IntOrString::Int(81), c) == 81);
  CHECK(ResolvePort(manifests::IntOrString::Str("admin"), c) == 9000);
  CHECK(ResolvePort(manifests::IntOrString::Str("nope"), c) == 0);

  struct Row {
    std::string scheme, host, path, pod_ip;
    int port;
    std::string want;
  };
  for (const auto& r : std::vector<Row>{
           {"", "", "/healthz", "10.88.0.5", 8080, "http://10.88.0.5:8080/healthz"},
           {"HTTPS", "", "", "10.88.0.5", 443, "https://10.88.0.5:443/"},
           {"HTTP", "example.test", "ready", "10.88.0.5", 80, "http://example.test:80/ready"},
           {"", "", "/q?x=1", "fd00::5", 80, "http://[fd00::5]:80/q?x=1"},
       }) {
    manifests::HttpGetAction get;
    get.scheme = r.scheme;
    get.host = r.host;
    get.path = r.path;
    CHECK(HttpGetUrl(get, r.pod_ip, r.port) == r.want);
  }
}

TEST_CASE("RunProbeHandler: dispatch, and errors for probes that cannot run", "[probes][handler]") {
  TestHttpServer server([](const std::string& path, const std::string&) -> std::string {
    return std::string("HTTP/1.1 ") + (path == "/healthz" ? "200" : "503") + " X\r\nContent-Length: 0\r\n\r\n";
  });
  FakeClock clock;
  cri::FakeRuntime rt(&clock);
  manifests::Container c;
  c.name = "web";
  c.ports = {manifests::ContainerPort{"http", server.port(), 0, "TCP", ""}};
  ProbeTargetInfo t{&rt, &c, "id1", "127.0.0.1", nullptr};

  manifests::Probe http = MakeProbe();
  http.handler.http_get = manifests::HttpGetAction{"/healthz", manifests::IntOrString::Str("http"), "", "", {}};
  CHECK(RunProbeHandler(http, t).result == Result::kSuccess);
  http.handler.http_get->path = "/other";
  CHECK(RunProbeHandler(http, t).output == "HTTP probe failed with statuscode: 503");

  manifests::Probe tcp = MakeProbe();
  tcp.handler.tcp_socket = manifests::TcpSocketAction{manifests::IntOrString::Str("http"), ""};
  CHECK(RunProbeHandler(tcp, t).result == Result::kSuccess);

  tcp.handler.tcp_socket->port = manifests::IntOrString::Str("missing");
  auto missing = RunProbeHandler(tcp, t);
  CHECK(missing.error);
  CHECK(missing.output == "couldn't find port: missing in container web");

  ProbeTargetInfo no_ip = t;
  no_ip.pod_ip = "";
  CHECK(RunProbeHandler(http, no_ip).error);
  http.handler.http_get->host = "127.0.0.1";  // an explicit host needs no pod IP
  CHECK_FALSE(RunProbeHandler(http, no_ip).error);

  manifests::Probe none = MakeProbe();
  CHECK(RunProbeHandler(none, t).error);
}
