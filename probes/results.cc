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
  return Lookup(it->second, type);
}

std::optional<Result> Lookup(const ContainerResults& r, ProbeType type) {
  switch (type) {
    case ProbeType::kLiveness: return r.liveness;
    case ProbeType::kReadiness: return r.readiness;
    case ProbeType::kStartup: return r.startup;
  }
  return std::nullopt;
}

std::optional<Result> ParseResultName(const std::string& name) {
  for (Result r : {Result::kUnknown, Result::kSuccess, Result::kFailure}) {
    if (name == ResultName(r)) return r;
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
