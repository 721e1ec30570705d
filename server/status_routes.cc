// The status server's routes and metrics gauges.
#include "server/status_routes.h"

#include <optional>

#include "server/pod_json.h"
#include "server/stats_summary.h"
#include "server/usage_metrics.h"

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
  DeclareUsageMetrics(m);
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

namespace {

HttpResponse Json(const nlohmann::json& j, int status = 200) {
  HttpResponse res;
  res.status = status;
  res.content_type = "application/json";
  // A pod name from the URL need not be UTF-8; replace bad bytes rather than throw.
  res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

HttpResponse Text(int status, std::string body, std::string content_type = "text/plain") {
  HttpResponse res;
  res.status = status;
  res.content_type = std::move(content_type);
  res.body = std::move(body);
  return res;
}

// Checks shared by both endpoints; nullopt when the request may be routed.
std::optional<HttpResponse> Refusal(const HttpRequest& req) {
  // Read-only: every method but GET and HEAD is refused before any route runs (the body is never read).
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse res = Text(405, "method " + req.method + " not allowed: this endpoint is read-only\n");
    res.headers.emplace_back("Allow", "GET, HEAD");
    return res;
  }
  // "GET nopath": the origin form starts with '/' (the adapter has already reduced the absolute form to it).
  if (req.path.empty() || req.path[0] != '/') return Text(400, "malformed request target\n");
  return std::nullopt;
}

}  // namespace

HttpResponse StatusRoutes::ServeHealthzPort(const HttpRequest& req) const {
  if (auto refused = Refusal(req)) return *refused;
  if (req.path == "/healthz") return Healthz(req.query.count("verbose") > 0);
  return Text(404, "404 page not found\n");
}

HttpResponse StatusRoutes::Serve(const HttpRequest& req) const {
  if (auto refused = Refusal(req)) return *refused;
  const std::string& path = req.path;
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
    if (deps_.node_events) {
      for (auto& e : NodeEventsToJson(deps_.node_name, deps_.node_events())) items.push_back(e);
    }
    return Json({{"kind", "EventList"}, {"apiVersion", "v1"}, {"items", items}});
  }
  if (path == "/healthz") return Healthz(req.query.count("verbose") > 0);
  if (path == "/metrics") {
    // The gauges are reset and refilled per scrape; two scrapes at once would count pods twice.
    std::lock_guard<std::mutex> l(metrics_mu_);
    UpdatePodGauges(deps_.metrics, deps_.store->Pods());
    if (deps_.usage) {
      if (auto snapshot = deps_.usage()) UpdateUsageMetrics(deps_.metrics, *snapshot);
    }
    return Text(200, deps_.metrics->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/stats/summary" || path == "/stats/summary/") {
    if (!deps_.usage) return Text(404, "404 page not found: resource usage collection is off (--housekeeping-interval=0)\n");
    auto snapshot = deps_.usage();
    if (!snapshot) return Text(503, "resource usage: the first collection has not finished yet\n");
    auto only = req.query.find("only_cpu_and_memory");
    return Json(SummaryJson(*snapshot, only != req.query.end() && only->second == "true"));
  }
  if (path == "/spec" || path == "/spec/") {
    // kubelet's (cAdvisor's MachineInfo) capacity figures, for crilet top node's percentages.
    auto snapshot = deps_.usage ? deps_.usage() : nullptr;
    if (!snapshot) return Text(deps_.usage ? 503 : 404, "resource usage: no collection\n");
    return Json({{"num_cores", snapshot->node.cpu_capacity_milli / 1000},
                 {"memory_capacity", snapshot->node.memory_capacity_bytes}});
  }
  if (path == "/configz") return Json({{"kubeletconfig", deps_.config}});
  if ((path == "/configmaps" || path == "/secrets" || path == "/pvc") && deps_.objects) return Json(deps_.objects(path.substr(1)));
  return Text(404, "404 page not found: " + path + " (try /pods, /healthz, /metrics, /stats/summary, /events, /configz)\n");
}

HttpResponse StatusRoutes::PodResponse(const std::string& ns, const std::string& name, bool events) const {
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

HttpResponse StatusRoutes::Healthz(bool verbose) const {
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

}  // namespace crilet::server
