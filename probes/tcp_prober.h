/// TCP connect check for tcpSocket probes: a non-blocking connect that must complete within the timeout.
#pragma once

#include <chrono>
#include <string>

#include "probes/probe_state.h"

namespace crilet::probes {

ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace crilet::probes
