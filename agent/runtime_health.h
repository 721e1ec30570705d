/// RuntimeHealth: whether the container runtime counts as up, from the relist's outcome and a call still in flight.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"

namespace crilet::agent {

struct RuntimeHealth {
  std::string error;                      // why the last relist failed; "" when it succeeded
  std::optional<TimePoint> call_started;  // a relist call in flight since then
};

// Why the runtime is unhealthy at `now`, or "" when it is healthy: the last relist failed, or a relist call
// has waited longer than `stall` (a runtime that accepts connections but never answers).
std::string RuntimeUnhealthyReason(const RuntimeHealth& h, TimePoint now, Duration stall, const std::string& endpoint);

// The relist's outcome `error` ("" = success) after `previous`: the line to log, or "" when nothing is said.
// One error line when an outage begins (whatever its messages while it lasts), one line when it ends.
std::string RuntimeTransitionLine(const std::string& previous, const std::string& error, const std::string& endpoint);

}  // namespace crilet::agent
