// The status server's routes and metrics gauges, served by HttpServer.
#include "server/status_server.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "server/pod_json.h"

namespace crilet::server {

void DeclareMetrics(Metrics* m) {
  m->Declare("crilet_pods", Metrics::Type::kGauge, "Pods by phase.");
  m->Declare("crilet_containers", Metrics::Type::kGauge, "Containers by state (running, waiting, terminated).");
  m->Declare("crilet_container_restarts", Metrics::Type::kGauge, "Restart count of each container.");
  m->Declare("crilet_pod_start_duration_seconds", Metrics::Type::kHistogram,
             "Time from a pod's first sync to all its containers running.", Metrics::LatencyBuckets());
  m->Declare("crilet_pod_sync_duration_seconds", Metrics::Type::kHistogram, "Duration of one pod sync.",
             Metrics::LatencyBuckets());
  m->Declare("crilet_relist_duration_seconds", Metrics::Type::kHistogram, "Duration of a CRI relist.",
             Metrics::LatencyBuckets());
}

void UpdatePodGauges(Metrics* m, const std::vector<agent::PodRecord>& pods) {
  m->ResetGauge("crilet_pods");
  m->ResetGauge("crilet_containers");
  m->ResetGauge("crilet_container_restarts");
  for (const char* phase : {"Pending", "Running", "Succeeded", "Failed"}) m->Set("crilet_pods", {{"phase", phase}}, 0);
  for (const char* state : {"running", "waiting", "terminated"}) m->Set("crilet_containers", {{"state", state}}, 0);
  for (const auto& r : pods) {
    m->Add("crilet_pods", {{"phase", r.status.phase}});
    auto count = [&](const std::vector<agent::ContainerStatus>& list) {
      for (const auto& c : list) {
        const char* state = c.state.running ? "running" : c.state.terminated ? "terminated" : "waiting";
        m->Add("crilet_containers", {{"state", state}});
        m->Set("crilet_container_restarts",
               {{"namespace", r.pod.metadata.namespace_}, {"pod", r.pod.metadata.name}, {"container", c.name}},
               c.restart_count);
      }
    };
    count(r.status.init_container_statuses);
    count(r.status.container_statuses);
  }
}

StatusServer::StatusServer(StatusServerDeps deps) : deps_(std::move(deps)) {}

StatusServer::~StatusServer() { Stop(); }

namespace {

HttpServerResponse Json(const nlohmann::json& j, int status = 200) {
  HttpServerResponse res;
  res.status = status;
  res.content_type = "application/json";
  // A pod name from the URL need not be UTF-8; replace bad bytes rather than throw.
  res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

HttpServerResponse Text(int status, std::string body, std::string content_type = "text/plain") {
  HttpServerResponse res;
  res.status = status;
  res.content_type = std::move(content_type);
  res.body = std::move(body);
  return res;
}

}  // namespace

HttpServerResponse StatusServer::Handle(const HttpServerRequest& req) const {
  // Read-only: every method but GET and HEAD is refused before any route runs (the body is never read).
  if (req.method != "GET" && req.method != "HEAD") {
    HttpServerResponse res = Text(405, "method " + req.method + " not allowed: this endpoint is read-only\n");
    res.headers.emplace_back("Allow", "GET, HEAD");
    return res;
  }
  const std::string& path = req.path;
  if (req.listener == healthz_listener_) {
    // Kubelet's healthz port serves health alone: nothing about the pods leaves through it.
    if (path == "/healthz") return Healthz(req.query.count("verbose") > 0);
    return Text(404, "404 page not found\n");
  }
  if (path == "/pods" || path == "/pods/") return Json(PodListToJson(deps_.store->Pods()));
  if (path.rfind("/pods/", 0) == 0) {
    std::string rest = path.substr(6);
    size_t slash = rest.find('/');
    if (slash != std::string::npos && slash > 0 && slash + 1 < rest.size() &&
        rest.find('/', slash + 1) == std::string::npos) {
      return PodResponse(rest.substr(0, slash), rest.substr(slash + 1), req.query.count("events") > 0);
    }
  }
  if (path == "/events") {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : deps_.store->Pods()) {
      for (auto& e : EventsToJson(r)) items.push_back(e);
    }
    return Json({{"kind", "EventList"}, {"apiVersion", "v1"}, {"items", items}});
  }
  if (path == "/healthz") return Healthz(req.query.count("verbose") > 0);
  if (path == "/metrics") {
    // The gauges are reset and refilled per scrape; two scrapes at once would count pods twice.
    std::lock_guard<std::mutex> l(metrics_mu_);
    UpdatePodGauges(deps_.metrics, deps_.store->Pods());
    return Text(200, deps_.metrics->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/configz") return Json({{"kubeletconfig", deps_.config}});
  return Text(404, "404 page not found: " + path + " (try /pods, /healthz, /metrics, /events, /configz)\n");
}

HttpServerResponse StatusServer::PodResponse(const std::string& ns, const std::string& name, bool events) const {
  auto r = deps_.store->Find(ns, name);
  if (!r) {
    return Json({{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"reason", "NotFound"},
                 {"code", 404}, {"message", "pod \"" + name + "\" not found in namespace \"" + ns + "\""}},
                404);
  }
  nlohmann::json j = PodToJson(*r);
  if (events) j["events"] = EventsToJson(*r);
  return Json(j);
}

HttpServerResponse StatusServer::Healthz(bool verbose) const {
  std::string why;
  bool ok = !deps_.runtime_healthy || deps_.runtime_healthy(&why);
  std::string body;
  if (verbose) {
    body += ok ? "[+]runtime ok\n" : "[-]runtime failed: " + why + "\n";
    std::vector<std::string> problems = deps_.problems ? deps_.problems() : std::vector<std::string>{};
    for (const auto& p : problems) body += "[!]manifest: " + p + "\n";
    if (deps_.config_problems) {
      for (const auto& p : deps_.config_problems()) body += "[!]config: " + p + "\n";
    }
    body += ok ? "healthz check passed\n" : "healthz check failed\n";
  } else {
    body = ok ? "ok" : "runtime: " + why + "\n";
  }
  return Text(ok ? 200 : 500, body, "text/plain; charset=utf-8");
}

Status StatusServer::Start(const std::string& address, int port) {
  StatusServerListeners l;
  l.address = address;
  l.port = port;
  return Start(l);
}

Status StatusServer::Start(const StatusServerListeners& l) {
  http_ = std::make_unique<HttpServer>([this](const HttpServerRequest& req) { return Handle(req); });
  int next = 0;
  if (l.serve_status) {
    if (Status s = http_->Listen(l.address, l.port); !s.ok()) {
      if (V(4)) spdlog::debug("status server: {}", s.message());
      return Status::Unavailable("cannot listen on " + l.address + ":" + std::to_string(l.port) +
                                 " (in use or not a local address); choose another with --read-only-port or --address");
    }
    status_listener_ = next++;
  }
  if (l.serve_healthz) {
    if (Status s = http_->Listen(l.healthz_address, l.healthz_port); !s.ok()) {
      spdlog::warn("healthz endpoint: {} (in use or not a local address); not serving it: choose another with "
                   "--healthz-port or --healthz-bind-address, or 0 to disable it",
                   s.message());
    } else {
      healthz_listener_ = next++;
    }
  }
  if (next == 0) return Status::Ok();  // nothing to serve
  if (Status s = http_->Start(); !s.ok()) return s;
  if (status_listener_ >= 0) spdlog::info("status server listening on http://{}:{}", l.address, port());
  if (healthz_listener_ >= 0) spdlog::info("healthz listening on http://{}:{}/healthz", l.healthz_address, healthz_port());
  return Status::Ok();
}

void StatusServer::Stop() {
  if (http_) http_->Stop();
}

}  // namespace crilet::server
