/// StatusServer: the read-only HTTP endpoint (kubelet's port 10255): /pods, /pods/NS/NAME, /healthz, /metrics, /events,
/// /configz; and kubelet's healthz endpoint (127.0.0.1:10248), /healthz alone.
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
  // Current node configuration problems that do not fail /healthz ("resolvConf: open /etc/resolv.conf: no such
  // file or directory"), shown by /healthz?verbose.
  std::function<std::vector<std::string>()> config_problems;
  // The resolved configuration served at /configz (KubeletConfiguration field names).
  nlohmann::json config;
};

struct StatusServerListeners {
  // The status endpoint; port 0 picks a free one.
  bool serve_status = true;
  std::string address = "127.0.0.1";
  int port = 0;
  // Kubelet's healthz endpoint (kubeadm's kubelet-check polls it): /healthz only, served by the same loop.
  bool serve_healthz = false;
  std::string healthz_address = "127.0.0.1";
  int healthz_port = 0;
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
  // Binds what `listeners` asks for and starts serving. The status endpoint failing to bind is an error; the
  // healthz endpoint failing is a warning (kubelet logs it and carries on), and then healthz_port() is 0.
  Status Start(const StatusServerListeners& listeners);
  void Stop();
  int port() const { return status_listener_ >= 0 ? http_->port(status_listener_) : 0; }  // bound status port
  int healthz_port() const { return healthz_listener_ >= 0 ? http_->port(healthz_listener_) : 0; }

 private:
  // Routes one request; runs on the HttpServer's workers, so it only reads deps_.
  HttpServerResponse Handle(const HttpServerRequest& req) const;
  HttpServerResponse PodResponse(const std::string& ns, const std::string& name, bool events) const;
  HttpServerResponse Healthz(bool verbose) const;

  StatusServerDeps deps_;
  mutable std::mutex metrics_mu_;  // serializes /metrics: recomputing the pod gauges, then rendering
  std::unique_ptr<HttpServer> http_;
  int status_listener_ = -1;   // HttpServerRequest::listener of each endpoint, -1 if not served
  int healthz_listener_ = -1;
};

// Recomputes the pod and container gauges from the current statuses (called before /metrics renders).
void UpdatePodGauges(Metrics* metrics, const std::vector<agent::PodRecord>& pods);
// Declares the families crilet exports, so /metrics lists them even before the first sample.
void DeclareMetrics(Metrics* metrics);

}  // namespace crilet::server
