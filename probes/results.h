/// Probe results as the agent reads them: per container instance, the current startup/liveness/readiness state.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace crilet::probes {

enum class ProbeType { kLiveness, kReadiness, kStartup };
enum class Result { kUnknown, kSuccess, kFailure };

const char* ProbeTypeName(ProbeType t);  // "Liveness", "Readiness", "Startup"
const char* ResultName(Result r);        // "unknown", "success", "failure"
std::optional<Result> ParseResultName(const std::string& name);  // ResultName's inverse; nullopt for others

// A probe the container does not have, or that has no result yet, is nullopt. Kubelet's initial values
// (readiness Failure, liveness Success, startup Unknown) are set by the manager as soon as it starts a worker.
struct ContainerResults {
  std::optional<Result> liveness;
  std::optional<Result> readiness;
  std::optional<Result> startup;
  bool operator==(const ContainerResults&) const = default;
};

// Keyed by CRI container ID, so a restarted container starts from fresh results.
using PodResults = std::map<std::string, ContainerResults>;

// The result of one probe of one container instance; nullopt when there is none (or `results` is null).
std::optional<Result> Lookup(const PodResults* results, const std::string& container_id, ProbeType type);
std::optional<Result> Lookup(const ContainerResults& results, ProbeType type);

}  // namespace crilet::probes
