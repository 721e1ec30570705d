// Names for probe types and results, as they appear in events and metrics.
#include "probes/results.h"

namespace crilet::probes {

const char* ProbeTypeName(ProbeType t) {
  switch (t) {
    case ProbeType::kLiveness: return "Liveness";
    case ProbeType::kReadiness: return "Readiness";
    case ProbeType::kStartup: return "Startup";
  }
  return "Unknown";
}

std::optional<Result> Lookup(const PodResults* results, const std::string& container_id, ProbeType type) {
  if (!results) return std::nullopt;
  auto it = results->find(container_id);
  if (it == results->end()) return std::nullopt;
  switch (type) {
    case ProbeType::kLiveness: return it->second.liveness;
    case ProbeType::kReadiness: return it->second.readiness;
    case ProbeType::kStartup: return it->second.startup;
  }
  return std::nullopt;
}

const char* ResultName(Result r) {
  switch (r) {
    case Result::kUnknown: return "unknown";
    case Result::kSuccess: return "success";
    case Result::kFailure: return "failure";
  }
  return "unknown";
}

}  // namespace crilet::probes
