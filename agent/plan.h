/// ComputePodActions: what to do next for one pod (kill, create sandbox, start, wait); no I/O, no clock reads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/backoff.h"
#include "agent/observed.h"
#include "common/clock.h"
#include "manifests/pod.h"
#include "probes/results.h"

namespace crilet::agent {

// A container of the spec: an init container (including sidecars) or a regular one, by index.
struct ContainerRef {
  bool init = false;
  int index = 0;
  bool operator==(const ContainerRef&) const = default;
};

struct ContainerStart {
  ContainerRef ref;
  // finished_at of the newest exited instance, if any: the crash backoff counts from it.
  std::optional<TimePoint> last_exit;
  bool operator==(const ContainerStart&) const = default;
};

// A start held back by CrashLoopBackOff; the worker retries at `until`.
struct BackoffWait {
  ContainerRef ref;
  TimePoint until;
  std::string message;  // "back-off 20s restarting failed container=web pod=web-node_default(uid)"
  bool operator==(const BackoffWait&) const = default;
};

// kDuplicate: a second live instance of one container, which an interrupted start leaves (crilet killed
// while the runtime still started the container; the next crilet made a new one).
enum class KillReason { kNone, kDefinitionChanged, kLivenessProbe, kStartupProbe, kUnknownState, kDuplicate };

struct ContainerToKill {
  std::string container_id;
  ContainerRef ref;
  KillReason reason = KillReason::kNone;
  std::string message;  // "Container web failed liveness probe, will be restarted"
  bool operator==(const ContainerToKill&) const = default;
};

struct PodActions {
  bool kill_pod = false;        // stop every container and the sandbox(es) first
  bool create_sandbox = false;  // then run a new sandbox with `attempt`
  uint32_t attempt = 0;
  std::string sandbox_id;       // the sandbox to start containers in when not creating one
  // Init containers to remove before a new sandbox runs: init must start over from the first (kubelet purges).
  bool purge_init_containers = false;
  std::vector<ContainerToKill> containers_to_kill;
  std::vector<ContainerStart> init_containers_to_start;  // in spec order
  std::vector<ContainerStart> containers_to_start;       // in spec order
  std::vector<BackoffWait> backoff_waits;                // starts blocked by crash backoff
  bool deadline_exceeded = false;  // activeDeadlineSeconds passed: the pod fails, nothing starts
  bool operator==(const PodActions&) const = default;
};

struct PlanInput {
  const manifests::Pod* pod = nullptr;
  const ObservedPod* observed = nullptr;
  const probes::PodResults* probes = nullptr;  // may be null: no results
  const Backoff* crash_backoff = nullptr;      // may be null: no backoff
  TimePoint now;
  std::optional<TimePoint> start_time;         // when crilet first acknowledged the pod (for activeDeadlineSeconds)
};

PodActions ComputePodActions(const PlanInput& in);

// Kubelet's ShouldContainerBeRestarted: a regular container that is not running and should run again.
bool ShouldContainerBeRestarted(const manifests::Pod& pod, const ObservedContainer* latest);

// Kubelet's PodSandboxChanged: whether a new sandbox is needed (none, several ready, the newest not ready,
// network mode changed, no IP on the pod network), with the next attempt and the sandbox to replace.
struct SandboxDecision {
  bool create = false;
  uint32_t attempt = 0;
  std::string sandbox_id;
};
SandboxDecision SandboxChanged(const manifests::Pod& pod, const ObservedPod& observed);

// Kubelet's backoff key: <pod name>_<namespace>_<uid>_<container>_<hash>.
std::string CrashBackoffKey(const manifests::Pod& pod, const manifests::Container& c);

const manifests::Container& SpecContainer(const manifests::Pod& pod, ContainerRef ref);

}  // namespace crilet::agent
