// StatusServer: StatusRoutes on one MhdServer per endpoint.
#include "server/status_server.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"

namespace crilet::server {

StatusServer::StatusServer(StatusServerDeps deps, HttpServerLimits limits)
    : routes_(std::move(deps)), limits_(limits) {}

StatusServer::~StatusServer() { Stop(); }

Status StatusServer::Start(const std::string& address, int port) {
  StatusServerListeners l;
  l.address = address;
  l.port = port;
  return Start(l);
}

Status StatusServer::Start(const StatusServerListeners& l) {
  if (l.serve_status) {
    auto server = std::make_unique<MhdServer>([this](const HttpRequest& req) { return routes_.Serve(req); }, limits_);
    if (Status s = server->Start(l.address, l.port); !s.ok()) {
      if (V(4)) spdlog::debug("status server: {}", s.message());
      return Status::Unavailable("cannot listen on " + l.address + ":" + std::to_string(l.port) +
                                 " (in use or not a local address); choose another with --read-only-port or --address");
    }
    status_ = std::move(server);
    spdlog::info("status server listening on http://{}:{}", l.address, port());
  }
  if (l.serve_healthz) {
    auto server =
        std::make_unique<MhdServer>([this](const HttpRequest& req) { return routes_.ServeHealthzPort(req); }, limits_);
    if (Status s = server->Start(l.healthz_address, l.healthz_port); !s.ok()) {
      spdlog::warn("healthz endpoint: {} (in use or not a local address); not serving it: choose another with "
                   "--healthz-port or --healthz-bind-address, or 0 to disable it",
                   s.message());
    } else {
      healthz_ = std::move(server);
      spdlog::info("healthz listening on http://{}:{}/healthz", l.healthz_address, healthz_port());
    }
  }
  return Status::Ok();
}

void StatusServer::Stop() {
  if (status_) status_->Stop();
  if (healthz_) healthz_->Stop();
}

}  // namespace crilet::server
