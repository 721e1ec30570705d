/// StatusServer: the read-only HTTP endpoint (kubelet's port 10255): /pods, /pods/NS/NAME, /healthz, /metrics, /events,
/// /configz; and kubelet's healthz endpoint (127.0.0.1:10248), /healthz alone.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "server/mhd_server.h"
#include "server/status_routes.h"

namespace crilet::server {

struct StatusServerListeners {
  // The status endpoint; port 0 picks a free one.
  bool serve_status = true;
  std::string address = "127.0.0.1";
  int port = 0;
  // Kubelet's healthz endpoint (kubeadm's kubelet-check polls it): /healthz only, on a server of its own.
  bool serve_healthz = false;
  std::string healthz_address = "127.0.0.1";
  int healthz_port = 0;
};

// Serves StatusRoutes through libmicrohttpd (MhdServer): one polling thread per endpoint; Stop() returns once
// they are joined.
class StatusServer {
 public:
  explicit StatusServer(StatusServerDeps deps, HttpServerLimits limits = {});
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds address:port (fails with a clear message if taken) and starts serving.
  Status Start(const std::string& address, int port);
  // Binds what `listeners` asks for and starts serving. The status endpoint failing to bind is an error; the
  // healthz endpoint failing is a warning (kubelet logs it and carries on), and then healthz_port() is 0.
  Status Start(const StatusServerListeners& listeners);
  void Stop();
  int port() const { return status_ ? status_->port() : 0; }  // bound status port
  int healthz_port() const { return healthz_ ? healthz_->port() : 0; }

 private:
  StatusRoutes routes_;
  HttpServerLimits limits_;
  std::unique_ptr<MhdServer> status_;   // null when not served
  std::unique_ptr<MhdServer> healthz_;
};

}  // namespace crilet::server
