/// gRPC probes: grpc.health.v1.Health/Check on the pod IP, plaintext, SERVING = success.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "probes/pending_probe.h"
#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's grpc prober for a caller that must not block (the probe manager's loop): starts the Check call
// on a new plaintext channel (nothing is cached, so nothing outlives a pod) and returns at once with the run
// pending. gRPC connects and calls on its own threads; the completion reaches the caller through `pending`'s
// fd (an eventfd, POLLIN). SERVING = success, anything else = failure with kubelet's wording; the timeout's
// text tells a connect that never finished from a call that never answered. Dropping the pending run before
// the answer cancels the call; nothing of it outlives gRPC's callback.
ProbeStart GrpcProbeStart(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout);

// The same probe for a caller that may block: GrpcProbeStart driven by WaitBlocking. `cancel` (may be null)
// ends the wait within 50 ms.
ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace crilet::probes
