/// StatusRoutes: the status server's answers as functions of the request (no sockets): /pods, /pods/NS/NAME,
/// /healthz, /metrics, /stats/summary, /events, /configz, and the healthz port's /healthz alone.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/status_store.h"
#include "agent/usage.h"
#include "common/metrics.h"
#include "server/http_types.h"

namespace crilet::server {

struct StatusServerDeps {
  const agent::StatusStore* store = nullptr;
  Metrics* metrics = nullptr;
  // False with a reason when the container runtime cannot be reached.
  std::function<bool(std::string*)> runtime_healthy;
  // Current manifest problems ("etcd.yaml:14: ..."), shown by /healthz?verbose and the CLI.
  std::function<std::vector<std::string>()> problems;
  // Current node configuration problems that do not fail /healthz ("resolvConf: open /etc/resolv.conf: no such
  // file or directory"), shown by /healthz?verbose.
  std::function<std::vector<std::string>()> config_problems;
  // The resolved configuration served at /configz (KubeletConfiguration field names).
  nlohmann::json config;
  // The local objects as List JSON for /configmaps, /secrets and /pvc (server/object_lists.h); unset = 404.
  std::function<nlohmann::json(const std::string& kind)> objects;
  // Events about the node itself (image garbage collection); unset = none.
  std::function<std::vector<agent::Event>()> node_events;
  std::string node_name;
  // The latest resource usage collection (agent/stats_collector.h), null before the first; unset when collection
  // is off (--housekeeping-interval=0): /stats/summary is then 404 and /metrics has no usage series.
  std::function<std::shared_ptr<const agent::UsageSnapshot>()> usage;
};

// Thread-safe: it only reads deps (whose store and callbacks are thread-safe), and serializes /metrics. The
// deps' pointers must outlive it.
class StatusRoutes {
 public:
  explicit StatusRoutes(StatusServerDeps deps) : deps_(std::move(deps)) {}
  StatusRoutes(const StatusRoutes&) = delete;
  StatusRoutes& operator=(const StatusRoutes&) = delete;

  // The status endpoint (kubelet's read-only port). Read-only: every method but GET and HEAD gets 405.
  HttpResponse Serve(const HttpRequest& req) const;
  // Kubelet's healthz endpoint: /healthz alone, so nothing about the pods leaves through it.
  HttpResponse ServeHealthzPort(const HttpRequest& req) const;

 private:
  HttpResponse PodResponse(const std::string& ns, const std::string& name, bool events) const;
  HttpResponse Healthz(bool verbose) const;

  StatusServerDeps deps_;
  mutable std::mutex metrics_mu_;  // serializes /metrics: recomputing the pod gauges, then rendering
};

// Recomputes the pod and container gauges from the current statuses (called before /metrics renders).
void UpdatePodGauges(Metrics* metrics, const std::vector<agent::PodRecord>& pods);
// Declares the families crilet exports, so /metrics lists them even before the first sample.
void DeclareMetrics(Metrics* metrics);

}  // namespace crilet::server
