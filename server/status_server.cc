// The status server's routes on cpp-httplib.
#include "server/status_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

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

void StatusServer::Routes() {
  auto& s = *http_;
  s.Get("/pods", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(PodListToJson(deps_.store->Pods()).dump(), "application/json");
  });
  s.Get("/pods/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(PodListToJson(deps_.store->Pods()).dump(), "application/json");
  });
  s.Get(R"(/pods/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string ns = req.matches[1], name = req.matches[2];
    auto r = deps_.store->Find(ns, name);
    if (!r) {
      res.status = 404;
      nlohmann::json body = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"reason", "NotFound"},
                             {"code", 404}, {"message", "pod \"" + name + "\" not found in namespace \"" + ns + "\""}};
      res.set_content(body.dump(), "application/json");
      return;
    }
    nlohmann::json j = PodToJson(*r);
    if (req.has_param("events")) j["events"] = EventsToJson(*r);
    res.set_content(j.dump(), "application/json");
  });
  s.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : deps_.store->Pods()) {
      for (auto& e : EventsToJson(r)) items.push_back(e);
    }
    res.set_content(nlohmann::json({{"kind", "EventList"}, {"apiVersion", "v1"}, {"items", items}}).dump(),
                    "application/json");
  });
  s.Get("/healthz", [this](const httplib::Request& req, httplib::Response& res) {
    std::string why;
    bool ok = !deps_.runtime_healthy || deps_.runtime_healthy(&why);
    std::string body;
    if (req.has_param("verbose")) {
      body += ok ? "[+]runtime ok\n" : "[-]runtime failed: " + why + "\n";
      std::vector<std::string> problems = deps_.problems ? deps_.problems() : std::vector<std::string>{};
      for (const auto& p : problems) body += "[!]manifest: " + p + "\n";
      body += ok ? "healthz check passed\n" : "healthz check failed\n";
    } else {
      body = ok ? "ok" : "runtime: " + why + "\n";
    }
    res.status = ok ? 200 : 500;
    res.set_content(body, "text/plain; charset=utf-8");
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    UpdatePodGauges(deps_.metrics, deps_.store->Pods());
    res.set_content(deps_.metrics->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/configz", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(nlohmann::json({{"kubeletconfig", deps_.config}}).dump(), "application/json");
  });
  // Read-only: every method but GET and HEAD is refused before the request body is even read.
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("method " + req.method + " not allowed: this endpoint is read-only\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404) {
      res.set_content("404 page not found: " + req.path + " (try /pods, /healthz, /metrics, /events, /configz)\n", "text/plain");
    }
  });
}

Status StatusServer::Start(const std::string& address, int port) {
  http_ = std::make_unique<httplib::Server>();
  http_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  Routes();
  if (!http_->bind_to_port(address.c_str(), port)) {
    return Status::Unavailable("cannot listen on " + address + ":" + std::to_string(port) +
                               " (in use or not a local address); choose another with --read-only-port or --address");
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  spdlog::info("status server listening on http://{}:{}", address, port);
  return Status::Ok();
}

void StatusServer::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace crilet::server
