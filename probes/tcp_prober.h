/// TCP connect check for tcpSocket probes: a non-blocking connect that must complete within the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's DoTCPProbe: success once the connection is established (then closed at once); failure with Go's
// wording ("dial tcp 10.88.0.5:8080: connect: connection refused", "... i/o timeout"). `cancel` (may be null)
// ends the wait within 50 ms. An IP address needs no lookup; a host name is resolved with getaddrinfo first,
// which is bounded by resolv.conf's timeouts rather than the probe's.
ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel = nullptr);

}  // namespace crilet::probes
