/// gRPC probes: grpc.health.v1.Health/Check on the pod IP, plaintext, SERVING = success.
#pragma once

#include <chrono>
#include <string>

#include "probes/probe_state.h"

namespace crilet::probes {

ProbeOutcome GrpcProbe(const std::string& host, int port, const std::string& service, std::chrono::milliseconds timeout);

}  // namespace crilet::probes
