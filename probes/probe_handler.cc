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

ProbeStart StartProbe(const manifests::Probe& probe, const ProbeTargetInfo& t, CurlLoop* curl) {
  const auto& h = probe.handler;
  const std::chrono::seconds timeout(probe.timeout_seconds);
  const manifests::Container& c = *t.container;
  ProbeStart out;
  if (h.exec) {
    // Kubelet expands $(VAR) from literal env values only: probes do not see downward-API values.
    return ExecProbeStart(t.runtime, t.container_id, ExpandProbeCommand(h.exec->command, c), timeout);
  }
  if (h.http_get) {
    HttpRequest req;
    if (auto bad = HttpRequestOf(*h.http_get, t, timeout, &req)) {
      out.outcome = std::move(bad);
      return out;
    }
    return HttpProbeStart(curl, req);
  }
  if (h.tcp_socket) {
    std::string host;
    int port = 0;
    if (auto bad = TcpAddress(*h.tcp_socket, t, &host, &port)) {
      out.outcome = std::move(bad);
      return out;
    }
    return TcpProbeStart(curl, host, port, timeout);
  }
  if (h.grpc) {
    if (t.pod_ip.empty()) {
      out.outcome = Error("the pod has no IP yet");
    } else if (h.grpc->port <= 0 || h.grpc->port > 65535) {
      out.outcome = Error("invalid port number: " + std::to_string(h.grpc->port));
    } else {
      return GrpcProbeStart(t.pod_ip, h.grpc->port, h.grpc->service.value_or(""), timeout);
    }
    return out;
  }
  out.outcome = Error("the probe has no handler");
  return out;
}

ProbeOutcome RunProbeHandler(const manifests::Probe& probe, const ProbeTargetInfo& t) {
  CurlLoop curl;
  return WaitBlocking(StartProbe(probe, t, &curl), &curl, t.cancel, Error("cancelled"));
}

}  // namespace crilet::probes
