// StatusServer routes over loopback (/pods, /pods/NS/NAME, /events, /healthz, /metrics, /configz, 404s and 405s), and
// StatusRoutes without sockets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent/events.h"
#include "agent/status_store.h"
#include "server/status_server.h"
#include "server_test_util.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::server;
using crilet::testing::BodyOf;
using crilet::testing::Get;
using crilet::testing::HeaderOf;
using crilet::testing::MakePod;
using crilet::testing::StatusOf;

namespace {

// A StatusServer on 127.0.0.1 with an ephemeral port over a store holding one running pod.
struct Harness {
  FakeClock clock;
  agent::EventRecorder events{&clock};
  agent::StatusStore store{&events};
  Metrics metrics;
  bool runtime_ok = true;
  std::vector<std::string> problems;
  std::unique_ptr<StatusServer> server;

  Harness() {
    manifests::Pod pod = MakePod();
    agent::PodStatus status;
    status.phase = "Running";
    store.Set(pod, status);
    events.Record(pod.metadata.uid, "Normal", "Started", "Started container app", "spec.containers{app}");
    DeclareMetrics(&metrics);
    StatusServerDeps deps;
    deps.store = &store;
    deps.metrics = &metrics;
    deps.runtime_healthy = [this](std::string* why) {
      if (!runtime_ok) *why = "connection refused";
      return runtime_ok;
    };
    deps.problems = [this] { return problems; };
    deps.config = {{"readOnlyPort", 0}};
    server = std::make_unique<StatusServer>(deps);
    REQUIRE(server->Start("127.0.0.1", 0).ok());
    REQUIRE(server->port() > 0);
  }
  int port() const { return server->port(); }
};

}  // namespace

TEST_CASE("Status server: pods, one pod, events and configz as JSON", "[server][status]") {
  Harness h;
  for (const char* path : {"/pods", "/pods/"}) {
    std::string r = Get(h.port(), path);
    CHECK(StatusOf(r) == 200);
    CHECK(HeaderOf(r, "Content-Type") == "application/json");
    auto j = nlohmann::json::parse(BodyOf(r));
    CHECK(j["kind"] == "PodList");
    REQUIRE(j["items"].size() == 1);
    CHECK(j["items"][0]["metadata"]["name"] == "web-node1");
  }

  auto pod = nlohmann::json::parse(BodyOf(Get(h.port(), "/pods/default/web-node1")));
  CHECK(pod["status"]["phase"] == "Running");
  CHECK_FALSE(pod.contains("events"));
  auto with_events = nlohmann::json::parse(BodyOf(Get(h.port(), "/pods/default/web-node1?events")));
  CHECK(with_events["events"].size() == 1);

  std::string missing = Get(h.port(), "/pods/default/nope");
  CHECK(StatusOf(missing) == 404);
  auto status = nlohmann::json::parse(BodyOf(missing));
  CHECK(status["reason"] == "NotFound");
  CHECK(status["message"] == "pod \"nope\" not found in namespace \"default\"");

  std::string not_utf8 = Get(h.port(), "/pods/default/%FF");  // replaced in the message, not a 500
  CHECK(StatusOf(not_utf8) == 404);
  CHECK(nlohmann::json::parse(BodyOf(not_utf8))["message"] ==
        "pod \"\xEF\xBF\xBD\" not found in namespace \"default\"");

  auto events = nlohmann::json::parse(BodyOf(Get(h.port(), "/events")));
  CHECK(events["kind"] == "EventList");
  CHECK(events["items"].size() == 1);

  auto config = nlohmann::json::parse(BodyOf(Get(h.port(), "/configz")));
  CHECK(config["kubeletconfig"]["readOnlyPort"] == 0);
}

TEST_CASE("Status server: healthz, plain and verbose", "[server][status]") {
  Harness h;
  std::string r = Get(h.port(), "/healthz");
  CHECK(StatusOf(r) == 200);
  CHECK(HeaderOf(r, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(BodyOf(r) == "ok");

  h.problems = {"etcd.yaml:14: spec.containers[0].image: required"};
  CHECK(BodyOf(Get(h.port(), "/healthz?verbose")) ==
        "[+]runtime ok\n[!]manifest: etcd.yaml:14: spec.containers[0].image: required\nhealthz check passed\n");

  h.runtime_ok = false;
  std::string down = Get(h.port(), "/healthz");
  CHECK(StatusOf(down) == 500);
  CHECK(BodyOf(down) == "runtime: connection refused\n");
  CHECK(BodyOf(Get(h.port(), "/healthz?verbose=1")).rfind("[-]runtime failed: connection refused\n", 0) == 0);
}

TEST_CASE("Status server: metrics in the Prometheus text format", "[server][status]") {
  Harness h;
  std::string r = Get(h.port(), "/metrics");
  CHECK(StatusOf(r) == 200);
  CHECK(HeaderOf(r, "Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(BodyOf(r).find("crilet_pods{phase=\"Running\"} 1") != std::string::npos);
}

TEST_CASE("Metrics: a summary renders its quantiles with the reserved label, then _sum and _count", "[server][status]") {
  Metrics m;
  m.Declare("x_delay_seconds", Metrics::Type::kSummary, "Delays.");
  m.SetSummary("x_delay_seconds", {{"kind", "a"}}, {{0.5, 0.25}, {0.99, 1.5}}, 12.5, 40);
  m.Set("x_delay_seconds", {}, 3);  // not a gauge: ignored
  CHECK(m.RenderPrometheus() ==
        "# HELP x_delay_seconds Delays.\n"
        "# TYPE x_delay_seconds summary\n"
        "x_delay_seconds{kind=\"a\",quantile=\"0.5\"} 0.25\n"
        "x_delay_seconds{kind=\"a\",quantile=\"0.99\"} 1.5\n"
        "x_delay_seconds_sum{kind=\"a\"} 12.5\n"
        "x_delay_seconds_count{kind=\"a\"} 40\n");
}

TEST_CASE("Status server: unknown paths get 404 with a hint, writes 405, HEAD no body", "[server][status]") {
  Harness h;
  std::string r = Get(h.port(), "/nope");
  CHECK(StatusOf(r) == 404);
  CHECK(HeaderOf(r, "Content-Type") == "text/plain");
  CHECK(BodyOf(r) == "404 page not found: /nope (try /pods, /healthz, /metrics, /stats/summary, /events, /configz)\n");
  CHECK(StatusOf(Get(h.port(), "/pods/default/web-node1/extra")) == 404);
  CHECK(StatusOf(Get(h.port(), "/healthz/")) == 404);

  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    INFO(method);
    std::string refused = Get(h.port(), "/pods/default/web-node1", method);
    CHECK(StatusOf(refused) == 405);
    CHECK(HeaderOf(refused, "Allow") == "GET, HEAD");
    CHECK(BodyOf(refused) == std::string("method ") + method + " not allowed: this endpoint is read-only\n");
  }
  CHECK(StatusOf(Get(h.port(), "/nope", "POST")) == 405);  // decided before routing

  std::string head = Get(h.port(), "/pods", "HEAD");
  CHECK(StatusOf(head) == 200);
  CHECK(HeaderOf(head, "Content-Type") == "application/json");
  CHECK(HeaderOf(head, "Content-Length") == std::to_string(BodyOf(Get(h.port(), "/pods")).size()));
  CHECK(BodyOf(head).empty());
}

TEST_CASE("Status server: a taken port is a clear error", "[server][status]") {
  Harness h;
  agent::StatusStore store{nullptr};
  Metrics metrics;
  StatusServerDeps deps;
  deps.store = &store;
  deps.metrics = &metrics;
  StatusServer second(deps);
  Status s = second.Start("127.0.0.1", h.port());
  CHECK(s.message() == "cannot listen on 127.0.0.1:" + std::to_string(h.port()) +
                           " (in use or not a local address); choose another with --read-only-port or --address");
  second.Stop();
}

TEST_CASE("Status server: kubelet's healthz port serves /healthz alone, on a server of its own", "[server][status][healthz]") {
  FakeClock clock;
  agent::EventRecorder events{&clock};
  agent::StatusStore store{&events};
  Metrics metrics;
  std::vector<std::string> config_problems;
  StatusServerDeps deps;
  deps.store = &store;
  deps.metrics = &metrics;
  deps.runtime_healthy = [](std::string*) { return true; };
  deps.config_problems = [&] { return config_problems; };
  StatusServerListeners both;
  both.port = 0;
  both.serve_healthz = true;
  both.healthz_port = 0;
  StatusServer server(deps);
  REQUIRE(server.Start(both).ok());
  REQUIRE(server.port() > 0);
  REQUIRE(server.healthz_port() > 0);
  CHECK(server.healthz_port() != server.port());
  // kubeadm's kubelet-check: curl http://127.0.0.1:10248/healthz
  CHECK(BodyOf(Get(server.healthz_port(), "/healthz")) == "ok");
  CHECK(StatusOf(Get(server.healthz_port(), "/pods")) == 404);  // nothing about pods leaves through it
  CHECK(StatusOf(Get(server.healthz_port(), "/metrics")) == 404);
  CHECK(StatusOf(Get(server.port(), "/pods")) == 200);  // the status server is unchanged
  // Configuration problems are listed by ?verbose and do not fail the check.
  config_problems = {"resolvConf: open /etc/resolv.conf: no such file or directory"};
  std::string verbose = Get(server.healthz_port(), "/healthz?verbose");
  CHECK(StatusOf(verbose) == 200);
  CHECK(BodyOf(verbose) ==
        "[+]runtime ok\n[!]config: resolvConf: open /etc/resolv.conf: no such file or directory\nhealthz check passed\n");
  CHECK(BodyOf(Get(server.port(), "/healthz?verbose")) == BodyOf(verbose));
  server.Stop();

  // A taken healthz port is a warning (kubelet logs it and runs on); the status endpoint still serves.
  StatusServer taker(deps);
  StatusServerListeners one;
  one.serve_healthz = true;
  REQUIRE(taker.Start(one).ok());
  StatusServer clash(deps);
  StatusServerListeners again;
  again.serve_healthz = true;
  again.healthz_port = taker.port();
  REQUIRE(clash.Start(again).ok());
  CHECK(clash.healthz_port() == 0);
  CHECK(StatusOf(Get(clash.port(), "/healthz")) == 200);

  // Only healthz (readOnlyPort 0, as in kubeadm's config): no status endpoint at all.
  StatusServer only(deps);
  StatusServerListeners healthz_only;
  healthz_only.serve_status = false;
  healthz_only.serve_healthz = true;
  REQUIRE(only.Start(healthz_only).ok());
  CHECK(only.port() == 0);
  CHECK(BodyOf(Get(only.healthz_port(), "/healthz")) == "ok");
}

TEST_CASE("Status routes: answers without sockets, healthz port and refusals", "[server][status]") {
  FakeClock clock;
  agent::EventRecorder events{&clock};
  agent::StatusStore store{&events};
  store.Set(MakePod(), agent::PodStatus{});
  Metrics metrics;
  StatusServerDeps deps;
  deps.store = &store;
  deps.metrics = &metrics;
  StatusRoutes routes(deps);
  auto get = [](std::string path, std::map<std::string, std::string> query = {}) {
    return HttpRequest{"GET", std::move(path), std::move(query)};
  };

  HttpResponse pods = routes.Serve(get("/pods"));
  CHECK(pods.status == 200);
  CHECK(pods.content_type == "application/json");
  CHECK(nlohmann::json::parse(pods.body)["items"].size() == 1);
  CHECK(routes.Serve(get("/pods/default/web-node1")).status == 200);
  CHECK(routes.Serve(get("/healthz")).body == "ok");
  CHECK(routes.Serve(get("/healthz", {{"verbose", ""}})).body == "[+]runtime ok\nhealthz check passed\n");

  CHECK(routes.ServeHealthzPort(get("/healthz")).body == "ok");
  CHECK(routes.ServeHealthzPort(get("/pods")).status == 404);

  HttpResponse post = routes.Serve(HttpRequest{"POST", "/pods", {}});
  CHECK(post.status == 405);
  CHECK(post.headers == std::vector<std::pair<std::string, std::string>>{{"Allow", "GET, HEAD"}});
  CHECK(routes.ServeHealthzPort(HttpRequest{"DELETE", "/healthz", {}}).status == 405);
  CHECK(routes.Serve(HttpRequest{"HEAD", "/pods", {}}).body == pods.body);  // the adapter drops the body
  HttpResponse nopath = routes.Serve(get("nopath"));
  CHECK(nopath.status == 400);
  CHECK(nopath.body == "malformed request target\n");
}
