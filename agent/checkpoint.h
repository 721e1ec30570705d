/// PodCheckpoint: the per-pod state crilet must remember across its own restarts (start time, crash backoff, conditions).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "agent/backoff.h"
#include "common/clock.h"
#include "common/status.h"
#include "probes/results.h"

namespace crilet::agent {

// Kept as JSON in <root-dir>/pods/<uid>/checkpoint.json, so that after a SIGKILL and restart the pod's
// startTime (and activeDeadlineSeconds) and its CrashLoopBackOff delays carry on where they were.
// A pod condition's status and when it last changed, so an adopted pod keeps its lastTransitionTimes.
struct ConditionTime {
  std::string status;  // "True", "False", "Unknown"
  TimePoint last_transition_time;
  bool operator==(const ConditionTime&) const = default;
};

struct PodCheckpoint {
  std::optional<TimePoint> start_time;
  std::map<std::string, Backoff::Entry> crash_backoff;
  std::map<std::string, ConditionTime> conditions;  // by condition type
  // crilet_pod_start_duration_seconds was observed (or the pod was adopted already running): never again.
  bool start_observed = false;
  // The readiness and startup results each running container had, by CRI container ID: the probe workers of
  // an adopted container start from them, so a Ready pod stays Ready (and keeps its lastTransitionTime).
  probes::PodResults probe_results;
};

Status SaveCheckpoint(const std::string& path, const PodCheckpoint& c);
// A missing file is not an error (a new pod); a corrupt one is reported and ignored by the caller.
Status LoadCheckpoint(const std::string& path, PodCheckpoint* c);

}  // namespace crilet::agent
