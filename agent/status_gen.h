/// GeneratePodStatus: the v1 PodStatus kubelet would report, from spec, runtime state and probe results; pure.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "agent/api_status.h"
#include "agent/observed.h"
#include "common/clock.h"
#include "manifests/pod.h"
#include "probes/results.h"

namespace crilet::agent {

// Why the last attempt to start a container did not produce a running instance (kubelet's reasonCache):
// CrashLoopBackOff, ErrImagePull, ImagePullBackOff, ErrImageNeverPull, CreateContainerConfigError,
// CreateContainerError, RunContainerError, PostStartHookError...
struct StartFailure {
  std::string reason;
  std::string message;
  bool operator==(const StartFailure&) const = default;
};

struct StatusInput {
  const manifests::Pod* pod = nullptr;
  const ObservedPod* observed = nullptr;
  const probes::PodResults* probes = nullptr;                          // may be null
  const std::map<std::string, StartFailure>* start_failures = nullptr;  // by container name; may be null
  const std::map<std::string, std::string>* termination_messages = nullptr;  // by container ID; may be null
  const PodStatus* previous = nullptr;  // for lastTransitionTime; may be null
  std::string host_ip;
  std::optional<TimePoint> start_time;
  TimePoint now;
  bool deadline_exceeded = false;
};

PodStatus GeneratePodStatus(const StatusInput& in);

// The pod phase from container statuses (kubelet's getPhase for static pods).
std::string PodPhase(const manifests::Pod& pod, const std::vector<ContainerStatus>& init_statuses,
                     const std::vector<ContainerStatus>& statuses, bool pod_has_initialized);

}  // namespace crilet::agent
