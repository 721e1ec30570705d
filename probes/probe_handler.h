/// Runs one probe's handler (exec, httpGet, tcpSocket or grpc) against a container instance.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

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
  const std::atomic<bool>* cancel = nullptr;        // may be null; http/tcp/grpc end within 50 ms once set
};

// The port a probe or hook names: a number, or a containerPort by name. 0 when no port has that name.
int ResolvePort(const manifests::IntOrString& port, const manifests::Container& c);

// <scheme>://<host or pod IP>:<port><path>, as kubelet's formatURL builds it (IPv6 in brackets, "/" prefix).
std::string HttpGetUrl(const manifests::HttpGetAction& get, const std::string& pod_ip, int port);

// One attempt with the probe's timeoutSeconds. Problems that make the probe impossible to run (a named port
// that does not exist, no pod IP yet, a runtime error) are errors, which kubelet retries and then drops.
ProbeOutcome RunProbeHandler(const manifests::Probe& probe, const ProbeTargetInfo& target);

// Starts a run without blocking where the handler allows it: an exec probe (when the runtime can start
// ExecSync so), a tcpSocket probe, or an httpGet probe over plain HTTP, to an IP address (the pod IP unless a
// host is given). Sets `outcome` when known at once or `pending` for the caller's poll loop to drive;
// neither for every other probe (and for one that cannot run), which RunProbeHandler runs on a thread that
// may block.
ProbeStart StartProbeWithoutBlocking(const manifests::Probe& probe, const ProbeTargetInfo& target);

}  // namespace crilet::probes
