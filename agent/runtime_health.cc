// Pure decisions about the runtime's health: outage reasons, stalls and the one log line per outage.
#include "agent/runtime_health.h"

#include <chrono>

namespace crilet::agent {

std::string RuntimeUnhealthyReason(const RuntimeHealth& h, TimePoint now, Duration stall, const std::string& endpoint) {
  if (!h.error.empty()) return h.error;
  if (h.call_started && now - *h.call_started > stall) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - *h.call_started).count();
    return "container runtime at " + endpoint + " has not answered for " + std::to_string(secs) +
           "s (a CRI call is still waiting for its deadline)";
  }
  return "";
}

std::string RuntimeTransitionLine(const std::string& previous, const std::string& error, const std::string& endpoint) {
  if (previous.empty() && !error.empty()) return error;
  if (!previous.empty() && error.empty()) return "container runtime at " + endpoint + " is reachable again";
  return "";
}

}  // namespace crilet::agent
