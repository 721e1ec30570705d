/// Starts one probe's handler (exec, httpGet, tcpSocket or grpc) against a container instance, without blocking.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/curl_loop.h"
#include "cri/runtime.h"
#include "manifests/pod.h"
#include "probes/pending_probe.h"
#include "probes/probe_state.h"
#include "probes/tcp_prober.h"

namespace crilet::probes {

struct ProbeTargetInfo {
  cri::Runtime* runtime = nullptr;                  // for exec
  const manifests::Container* container = nullptr;  // env for $(VAR), ports by name
  std::string container_id;
  std::string pod_ip;
  const std::atomic<bool>* cancel = nullptr;        // RunProbeHandler only (may be null): ends it within 50 ms
};

// The port a probe or hook names: a number, or a containerPort by name. 0 when no port has that name.
int ResolvePort(const manifests::IntOrString& port, const manifests::Container& c);

// <scheme>://<host or pod IP>:<port><path>, as kubelet's formatURL builds it (IPv6 in brackets, "/" prefix).
std::string HttpGetUrl(const manifests::HttpGetAction& get, const std::string& pod_ip, int port);

// Starts one attempt of the probe's handler with its timeoutSeconds, without blocking: the outcome when it
// is known at once (a refused connect, and problems that make the probe impossible to run: a named port
// that does not exist, no pod IP yet, a runtime error, which are errors that kubelet retries and then
// drops), else the run for the caller's loop to drive. `curl` is the loop's CurlLoop: httpGet runs and
// tcpSocket runs to a host name use it. Exec goes over the runtime's shared connection (ExecProbeStart),
// grpc through gRPC's callback API (GrpcProbeStart).
ProbeStart StartProbe(const manifests::Probe& probe, const ProbeTargetInfo& target, CurlLoop* curl);

// One attempt waited for, on a private CurlLoop (for tests and tools; target.cancel ends it within 50 ms).
ProbeOutcome RunProbeHandler(const manifests::Probe& probe, const ProbeTargetInfo& target);

}  // namespace crilet::probes
