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

const char* ResultName(Result r) {
  switch (r) {
    case Result::kUnknown: return "unknown";
    case Result::kSuccess: return "success";
    case Result::kFailure: return "failure";
  }
  return "unknown";
}

}  // namespace crilet::probes
