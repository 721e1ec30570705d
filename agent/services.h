/// Services: the shared collaborators every pod worker uses (runtime, clock, events, prober, options...).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/events.h"
#include "agent/exit_watcher.h"
#include "agent/hooks.h"
#include "agent/options.h"
#include "agent/pull_credentials.h"
#include "agent/runtime_state.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "cri/runtime.h"
#include "cri/types.h"
#include "manifests/local_objects.h"
#include "probes/prober.h"

namespace crilet::agent {
class ClaimVolumes;
class PodCgroupManager;

// Owned by the Agent; every pointer outlives all pod workers. Read-only after start-up.
struct Services {
  cri::Runtime* runtime = nullptr;
  const Clock* clock = nullptr;
  EventRecorder* events = nullptr;
  probes::Prober* prober = nullptr;  // may be null: no probing
  RuntimeStateReader* reader = nullptr;
  const HookRunner* hooks = nullptr;
  Metrics* metrics = nullptr;        // may be null
  ExitWatcher* exit_watcher = nullptr;  // may be null: exits are then noticed by the relist only
  // The ConfigMaps and Secrets declared now (thread-safe; called at each container start); may be empty.
  std::function<manifests::LocalObjects()> objects;
  NodeCredentials* node_credentials = nullptr;  // the node's docker config files; null = none
  ClaimVolumes* claims = nullptr;  // may be null: persistentVolumeClaim volumes fail to mount
  // Kubelet's QoS and pod cgroups; null: none (sandboxes get options.cgroup_parent, as before).
  PodCgroupManager* cgroups = nullptr;
  AgentOptions options;
  std::string node_hosts;            // the node's /etc/hosts, for hostNetwork pods
  int64_t node_cpu_milli = 0;                  // allocatable (downward API of unset cpu limits)
  int64_t node_memory_bytes = 0;               // capacity (oom_score_adj)
  int64_t node_allocatable_memory_bytes = 0;   // allocatable (downward API of unset memory limits)
};

}  // namespace crilet::agent
