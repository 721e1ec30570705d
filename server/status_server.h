/// StatusServer: the read-only HTTP endpoint (kubelet's port 10255): /pods, /pods/NS/NAME, /healthz, /metrics, /events, /configz.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/status_store.h"
#include "common/metrics.h"
#include "common/status.h"
#include "server/http_server.h"

namespace crilet::server {

struct StatusServerDeps {
  const agent::StatusStore* store = nullptr;
  Metrics* metrics = nullptr;
  // False with a reason when the container runtime cannot be reached.
  std::function<bool(std::string*)> runtime_healthy;
  // Current manifest problems ("etcd.yaml:14: ..."), shown by /healthz?verbose and the CLI.
  std::function<std::vector<std::string>()> problems;
  // The resolved configuration served at /configz (KubeletConfiguration field names).
  nlohmann::json config;
};

// Serves on its own threads (HttpServer: a poll loop plus 4 handler workers); Stop() returns once
// they are joined. Read-only: any method but GET and HEAD gets 405.
class StatusServer {
 public:
  explicit StatusServer(StatusServerDeps deps);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds address:port (fails with a clear message if taken) and starts serving.
  Status Start(const std::string& address, int port);
  void Stop();
  int port() const { return http_ ? http_->port() : 0; }  // the bound port once started (port 0 picks one)

 private:
  // Routes one request; runs on the HttpServer's workers, so it only reads deps_.
  HttpServerResponse Handle(const HttpServerRequest& req) const;
  HttpServerResponse PodResponse(const std::string& ns, const std::string& name, bool events) const;
  HttpServerResponse Healthz(bool verbose) const;

  StatusServerDeps deps_;
  mutable std::mutex metrics_mu_;  // serializes /metrics: recomputing the pod gauges, then rendering
  std::unique_ptr<HttpServer> http_;
};

// Recomputes the pod and container gauges from the current statuses (called before /metrics renders).
void UpdatePodGauges(Metrics* metrics, const std::vector<agent::PodRecord>& pods);
// Declares the families crilet exports, so /metrics lists them even before the first sample.
void DeclareMetrics(Metrics* metrics);

}  // namespace crilet::server
