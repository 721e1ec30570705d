/// gRPC probes: grpc.health.v1.Health/Check on the pod IP, plaintext, SERVING = success.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's grpc prober: a new plaintext channel per probe (nothing is cached, so nothing outlives a pod),
// connect and Check within `timeout`; SERVING = success, anything else = failure with kubelet's wording.
// `cancel` (may be null) ends the wait within 50 ms.
ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace crilet::probes
