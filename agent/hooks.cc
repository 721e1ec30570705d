// Running lifecycle handlers the way kubelet's lifecycle/handlers.go does.
#include "agent/hooks.h"

#include <thread>

#include "probes/exec_prober.h"

namespace crilet::agent {

Status HookRunner::HttpUrl(const manifests::HttpGetAction& get, const manifests::Container& c, const std::string& pod_ip,
                           std::string* url) {
  int port = 0;
  if (get.port.is_int) {
    port = get.port.int_value;
  } else {
    for (const auto& p : c.ports) {
      if (p.name == get.port.str_value) port = p.container_port;
    }
    if (port == 0) return Status::InvalidArgument("no container port named " + get.port.str_value);
  }
  // A Host header is sent as a header (virtual hosting); the connection still goes to host or the pod IP.
  std::string host = get.host.empty() ? pod_ip : get.host;
  std::string scheme = get.scheme == "HTTPS" ? "https" : "http";
  std::string path = get.path.empty() ? "/" : get.path;
  if (path[0] != '/') path = "/" + path;
  bool v6 = host.find(':') != std::string::npos;
  *url = scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
  return Status::Ok();
}

Status HookRunner::Run(const manifests::LifecycleHandler& h, const HookTarget& t, std::chrono::seconds timeout,
                       const std::atomic<bool>* cancel) const {
  if (h.exec) {
    // Commands see $(VAR) expanded from the container's literal env values, as probes do.
    std::vector<std::string> cmd = probes::ExpandProbeCommand(h.exec->command, *t.container);
    cri::ExecResult r;
    Status s = runtime_->ExecSync(t.container_id, cmd, timeout, &r);
    if (!s.ok()) return s;
    if (r.exit_code != 0) {
      std::string out = r.stdout_data + r.stderr_data;
      return Status(Code::kUnknown, "command '" + (cmd.empty() ? "" : cmd[0]) + "' exited with " +
                                        std::to_string(r.exit_code) + ": " + out);
    }
    return Status::Ok();
  }
  if (h.http_get) {
    std::string url;
    if (Status s = HttpUrl(*h.http_get, *t.container, t.pod_ip, &url); !s.ok()) return s;
    if (!http_) return Status(Code::kUnimplemented, "no HTTP client for hooks");
    auto ms = timeout.count() > 0 ? std::chrono::milliseconds(timeout) : std::chrono::milliseconds(std::chrono::minutes(2));
    return http_(url, h.http_get->http_headers, ms);
  }
  if (h.sleep) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(h.sleep->seconds);
    if (timeout.count() > 0) until = std::min(until, std::chrono::steady_clock::now() + timeout);
    while (std::chrono::steady_clock::now() < until) {
      if (cancel && cancel->load()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Status::Ok();
  }
  if (h.tcp_socket) {
    // Kubernetes accepts tcpSocket in lifecycle handlers for compatibility but it fails at run time.
    return Status(Code::kUnimplemented, "tcpSocket is not supported as a lifecycle handler");
  }
  return Status::InvalidArgument("the handler has no action");
}

}  // namespace crilet::agent
