// Dispatch to the exec/http/tcp/grpc probers, with kubelet's host and port rules (prober/prober.go runProbe).
#include "probes/probe_handler.h"

#include "probes/exec_prober.h"
#include "probes/grpc_prober.h"
#include "probes/http_prober.h"
#include "probes/tcp_prober.h"

namespace crilet::probes {
namespace {

ProbeOutcome Error(std::string why) { return ProbeOutcome{Result::kUnknown, std::move(why), true, false}; }

std::string Bracketed(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

}  // namespace

int ResolvePort(const manifests::IntOrString& port, const manifests::Container& c) {
  if (port.is_int) return port.int_value;
  for (const auto& p : c.ports) {
    if (p.name == port.str_value) return p.container_port;
  }
  return 0;
}

namespace {

// The port a probe names, or the error kubelet gives for it.
std::optional<ProbeOutcome> PortOf(const manifests::IntOrString& p, const manifests::Container& c, int* out) {
  *out = ResolvePort(p, c);
  if (!p.is_int && *out == 0) return Error("couldn't find port: " + p.str_value + " in container " + c.name);
  if (*out <= 0 || *out > 65535) return Error("invalid port number: " + std::to_string(*out));
  return std::nullopt;
}

// Where a tcpSocket probe connects (its host, else the pod IP), or why it cannot run.
std::optional<ProbeOutcome> TcpAddress(const manifests::TcpSocketAction& tcp, const ProbeTargetInfo& t,
                                       std::string* host, int* port) {
  if (auto bad = PortOf(tcp.port, *t.container, port)) return bad;
  *host = tcp.host.empty() ? t.pod_ip : tcp.host;
  if (host->empty()) return Error("the pod has no IP yet");
  return std::nullopt;
}

// The request an httpGet probe makes (host defaults to the pod IP), or why it cannot run.
std::optional<ProbeOutcome> HttpRequestOf(const manifests::HttpGetAction& get, const ProbeTargetInfo& t,
                                          std::chrono::milliseconds timeout, HttpRequest* req) {
  int port = 0;
  if (auto bad = PortOf(get.port, *t.container, &port)) return bad;
  if (get.host.empty() && t.pod_ip.empty()) return Error("the pod has no IP yet");
  req->url = HttpGetUrl(get, t.pod_ip, port);
  req->headers = get.http_headers;
  req->timeout = timeout;
  req->cancel = t.cancel;
  return std::nullopt;
}

}  // namespace

std::string HttpGetUrl(const manifests::HttpGetAction& get, const std::string& pod_ip, int port) {
  std::string scheme = get.scheme == "HTTPS" ? "https" : "http";
  std::string host = get.host.empty() ? pod_ip : get.host;
  std::string path = get.path;
  if (path.empty() || path[0] != '/') path = "/" + path;
  return scheme + "://" + Bracketed(host) + ":" + std::to_string(port) + path;
}

ProbeOutcome RunProbeHandler(const manifests::Probe& probe, const ProbeTargetInfo& t) {
  const auto& h = probe.handler;
  const std::chrono::seconds timeout(probe.timeout_seconds);
  const manifests::Container& c = *t.container;
  if (h.exec) {
    // Kubelet expands $(VAR) from literal env values only: probes do not see downward-API values.
    return ExecProbe(t.runtime, t.container_id, ExpandProbeCommand(h.exec->command, c), timeout);
  }
  if (h.http_get) {
    HttpRequest req;
    if (auto bad = HttpRequestOf(*h.http_get, t, timeout, &req)) return *bad;
    return HttpProbe(req);
  }
  if (h.tcp_socket) {
    std::string host;
    int port = 0;
    if (auto bad = TcpAddress(*h.tcp_socket, t, &host, &port)) return *bad;
    return TcpProbe(host, port, timeout, t.cancel);
  }
  if (h.grpc) {
    if (t.pod_ip.empty()) return Error("the pod has no IP yet");
    if (h.grpc->port <= 0 || h.grpc->port > 65535) return Error("invalid port number: " + std::to_string(h.grpc->port));
    return GrpcProbe(t.pod_ip, h.grpc->port, h.grpc->service.value_or(""), timeout, t.cancel);
  }
  return Error("the probe has no handler");
}

ProbeStart StartProbeWithoutBlocking(const manifests::Probe& probe, const ProbeTargetInfo& t) {
  if (!t.container) return {};
  const std::chrono::seconds timeout(probe.timeout_seconds);
  if (probe.handler.exec && t.runtime) {
    return ExecProbeStart(t.runtime, t.container_id, ExpandProbeCommand(probe.handler.exec->command, *t.container),
                          timeout);
  }
  // A probe that cannot run (bad port, no pod IP) is not started here: RunProbeHandler reports it.
  if (probe.handler.tcp_socket) {
    std::string host;
    int port = 0;
    if (TcpAddress(*probe.handler.tcp_socket, t, &host, &port)) return {};
    return TcpProbeStart(host, port, timeout);
  }
  if (probe.handler.http_get) {
    HttpRequest req;
    if (HttpRequestOf(*probe.handler.http_get, t, timeout, &req)) return {};
    req.cancel = nullptr;  // the loop that drives the run watches the cancel flag itself
    return HttpProbeStart(req);
  }
  return {};
}

}  // namespace crilet::probes
