/// StatusServer: the read-only HTTP endpoint (kubelet's port 10255): /pods, /pods/NS/NAME, /healthz, /metrics, /events, /configz.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/status_store.h"
#include "common/metrics.h"
#include "common/status.h"

namespace httplib {
class Server;
}

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

// Serves on its own threads (a listener plus a pool of 2); Stop() returns once they are joined.
class StatusServer {
 public:
  explicit StatusServer(StatusServerDeps deps);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds address:port (fails with a clear message if taken) and starts serving.
  Status Start(const std::string& address, int port);
  void Stop();

 private:
  void Routes();

  StatusServerDeps deps_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
};

// Recomputes the pod and container gauges from the current statuses (called before /metrics renders).
void UpdatePodGauges(Metrics* metrics, const std::vector<agent::PodRecord>& pods);
// Declares the families crilet exports, so /metrics lists them even before the first sample.
void DeclareMetrics(Metrics* metrics);

}  // namespace crilet::server
