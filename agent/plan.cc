// ComputePodActions: kubelet's computePodActions and computeInitContainerActions (sidecars on) for one pod.
#include "agent/plan.h"

#include <algorithm>

#include "agent/labels.h"
#include "common/duration.h"

namespace crilet::agent {
namespace {

using cri::ContainerState;
using manifests::Container;
using manifests::Pod;

bool ShouldRestartOnFailure(const Pod& pod) { return pod.spec.restart_policy != "Never"; }

bool IsInitContainerFailed(const ObservedContainer& s) {
  if (s.reason.find("OOMKilled") != std::string::npos) return true;
  if (s.state == ContainerState::kExited && s.exit_code != 0) return true;
  return s.state == ContainerState::kUnknown;
}

std::optional<probes::Result> ProbeResult(const PlanInput& in, const std::string& id, probes::ProbeType type) {
  return probes::Lookup(in.probes, id, type);
}

bool ContainerChanged(const Container& c, const ObservedContainer& s) { return ContainerHash(c) != s.hash; }

bool ContainerSucceeded(const ObservedContainer* s) {
  return s && s->state == ContainerState::kExited && s->exit_code == 0;
}

bool HasAnyRegularContainerCreated(const Pod& pod, const ObservedPod& obs) {
  for (const auto& c : pod.spec.containers) {
    const ObservedContainer* s = obs.Latest(c.name);
    if (s && (s->state == ContainerState::kCreated || s->state == ContainerState::kRunning ||
              s->state == ContainerState::kExited)) {
      return true;
    }
  }
  return false;
}

void AddKill(PodActions* a, const ObservedContainer& s, ContainerRef ref, KillReason reason, std::string message) {
  a->containers_to_kill.push_back(ContainerToKill{s.id, ref, reason, std::move(message)});
}

// Live instances (created, running, unknown) of a container other than its newest: crilet was killed while
// the runtime was still starting one, and the next crilet created another. Kubelet never meets this (it
// dies rarely mid-start, and its GC removes only dead containers); crilet stops the older one, so that one
// instance per container runs. Created-never-started ones are left to RemoveDeadInstances.
void KillDuplicates(const PlanInput& in, PodActions* a) {
  const ObservedPod& obs = *in.observed;
  auto scan = [&](const std::vector<Container>& specs, bool init) {
    for (size_t i = 0; i < specs.size(); ++i) {
      const ObservedContainer* newest = obs.Latest(specs[i].name);
      for (const auto& c : obs.containers) {
        if (&c == newest || c.name != specs[i].name) continue;
        if (c.state != ContainerState::kRunning && c.state != ContainerState::kUnknown) continue;
        AddKill(a, c, ContainerRef{init, static_cast<int>(i)}, KillReason::kDuplicate,
                "Stopping container " + c.name + ": a newer instance of it runs (a start interrupted by a crilet restart)");
      }
    }
  };
  scan(in.pod->spec.init_containers, true);
  scan(in.pod->spec.containers, false);
}

// computeInitContainerActions: fills init starts/kills; returns whether the pod has initialized.
bool ComputeInitContainerActions(const PlanInput& in, PodActions* a, std::vector<int>* init_starts) {
  const Pod& pod = *in.pod;
  const ObservedPod& obs = *in.observed;
  const auto& inits = pod.spec.init_containers;
  if (inits.empty()) return true;

  // A regular container that was created or is running proves all init containers ran before, even if
  // the runtime no longer holds them. (Exited ones do not: they may be from a previous sandbox.)
  bool pod_has_initialized = false;
  for (const auto& c : pod.spec.containers) {
    const ObservedContainer* s = obs.Latest(c.name);
    if (s && (s->state == ContainerState::kCreated || s->state == ContainerState::kRunning)) {
      pod_has_initialized = true;
      break;
    }
  }
  bool previously_initialized = pod_has_initialized;
  const bool restart_on_failure = ShouldRestartOnFailure(pod);

  // Walk backwards: the last init container that ran tells how far initialization got.
  for (int i = static_cast<int>(inits.size()) - 1; i >= 0; --i) {
    const Container& c = inits[i];
    const bool sidecar = manifests::IsSidecar(c);
    const ContainerRef ref{true, i};
    const ObservedContainer* s = obs.Latest(c.name);
    if (!s) {
      if (previously_initialized && sidecar) init_starts->push_back(i);
      continue;
    }
    if (previously_initialized && !sidecar) continue;

    switch (s->state) {
      case ContainerState::kCreated:
        // Created but never started: the start must have failed; try again.
        init_starts->push_back(i);
        break;
      case ContainerState::kRunning: {
        if (!sidecar) break;  // a regular init container: wait for it to finish
        if (c.startup_probe) {
          auto startup = ProbeResult(in, s->id, probes::ProbeType::kStartup);
          if (!startup) break;  // not probed yet: wait
          if (*startup != probes::Result::kSuccess) {
            if (*startup == probes::Result::kFailure) {
              AddKill(a, *s, ref, KillReason::kStartupProbe, "Init container " + c.name + " failed startup probe");
              init_starts->push_back(i);
            }
            break;
          }
        }
        if (i == static_cast<int>(inits.size()) - 1) {
          pod_has_initialized = true;
        } else if (!previously_initialized) {
          init_starts->push_back(i + 1);
        }
        if (ContainerChanged(c, *s)) {
          AddKill(a, *s, ref, KillReason::kDefinitionChanged, "Init container " + c.name + " definition changed");
          init_starts->push_back(i);
          break;
        }
        if (c.liveness_probe) {
          auto liveness = ProbeResult(in, s->id, probes::ProbeType::kLiveness);
          if (liveness && *liveness == probes::Result::kFailure) {
            AddKill(a, *s, ref, KillReason::kLivenessProbe, "Init container " + c.name + " failed liveness probe");
            init_starts->push_back(i);
          }
        }
        break;
      }
      case ContainerState::kExited:
        if (sidecar) {
          init_starts->push_back(i);
        } else if (IsInitContainerFailed(*s)) {
          if (!restart_on_failure) {
            a->kill_pod = true;
            init_starts->clear();
            return false;
          }
          init_starts->push_back(i);
        } else if (i == static_cast<int>(inits.size()) - 1) {
          pod_has_initialized = true;
        } else {
          init_starts->push_back(i + 1);
        }
        break;
      default:  // unknown
        if (sidecar) {
          AddKill(a, *s, ref, KillReason::kUnknownState,
                  "Init container is in \"CONTAINER_UNKNOWN\" state, try killing it before restart");
          init_starts->push_back(i);
        } else {
          if (!restart_on_failure) {
            a->kill_pod = true;
            init_starts->clear();
            return false;
          }
          init_starts->push_back(i);
          AddKill(a, *s, ref, KillReason::kUnknownState,
                  "Init container is in \"CONTAINER_UNKNOWN\" state, try killing it before restart");
        }
        break;
    }
    if (!previously_initialized) previously_initialized = true;
  }
  if (!previously_initialized) init_starts->push_back(0);
  std::reverse(init_starts->begin(), init_starts->end());
  return pod_has_initialized;
}

// Moves starts whose container is in crash backoff into backoff_waits (kubelet's doBackOff).
void ApplyBackoff(const PlanInput& in, const std::vector<int>& indices, bool init, std::vector<ContainerStart>* starts,
                  std::vector<BackoffWait>* waits) {
  const Pod& pod = *in.pod;
  for (int idx : indices) {
    const Container& c = init ? pod.spec.init_containers[idx] : pod.spec.containers[idx];
    ContainerStart start{ContainerRef{init, idx}, std::nullopt};
    if (const ObservedContainer* exited = in.observed->LatestExited(c.name)) {
      TimePoint finished = FromUnixNanos(exited->finished_at);
      start.last_exit = finished;
      std::string key = CrashBackoffKey(pod, c);
      if (in.crash_backoff && in.crash_backoff->IsInBackOffSince(key, finished, in.now)) {
        waits->push_back(BackoffWait{start.ref, in.crash_backoff->BackOffUntil(key, finished),
                                     "back-off " + FormatDuration(in.crash_backoff->Get(key)) +
                                         " restarting failed container=" + c.name + " pod=" + pod.FullName() + "(" +
                                         pod.metadata.uid + ")"});
        continue;
      }
    }
    starts->push_back(start);
  }
}

}  // namespace

bool ShouldContainerBeRestarted(const Pod& pod, const ObservedContainer* s) {
  if (!s) return true;
  if (s->state == ContainerState::kRunning) return false;
  if (s->state == ContainerState::kUnknown || s->state == ContainerState::kCreated) return true;
  if (pod.spec.restart_policy == "Never") return false;
  if (pod.spec.restart_policy == "OnFailure" && s->exit_code == 0) return false;
  return true;
}

SandboxDecision SandboxChanged(const Pod& pod, const ObservedPod& obs) {
  SandboxDecision d;
  if (obs.sandboxes.empty()) {
    d.create = true;
    return d;
  }
  const ObservedSandbox& newest = obs.sandboxes.front();
  int ready = 0;
  for (const auto& s : obs.sandboxes) ready += s.state == cri::SandboxState::kReady;
  d.sandbox_id = newest.id;
  d.attempt = newest.attempt;
  if (ready > 1 || newest.state != cri::SandboxState::kReady) {
    d.create = true;
    d.attempt = newest.attempt + 1;
  } else if (newest.host_network != pod.spec.host_network) {
    d.create = true;
    d.attempt = newest.attempt + 1;
    d.sandbox_id.clear();
  } else if (!pod.spec.host_network && newest.ip.empty()) {
    d.create = true;
    d.attempt = newest.attempt + 1;
  }
  return d;
}

std::string CrashBackoffKey(const Pod& pod, const Container& c) {
  return pod.metadata.name + "_" + pod.metadata.namespace_ + "_" + pod.metadata.uid + "_" + c.name + "_" +
         FormatHash(ContainerHash(c));
}

const Container& SpecContainer(const Pod& pod, ContainerRef ref) {
  return ref.init ? pod.spec.init_containers[ref.index] : pod.spec.containers[ref.index];
}

PodActions ComputePodActions(const PlanInput& in) {
  const Pod& pod = *in.pod;
  const ObservedPod& obs = *in.observed;
  PodActions a;

  if (pod.spec.active_deadline_seconds && in.start_time &&
      in.now - *in.start_time >= std::chrono::seconds(*pod.spec.active_deadline_seconds)) {
    a.deadline_exceeded = true;
    a.kill_pod = true;
    return a;
  }

  SandboxDecision sandbox = SandboxChanged(pod, obs);
  bool create = sandbox.create;
  a.attempt = sandbox.attempt;
  a.sandbox_id = sandbox.sandbox_id;
  a.kill_pod = create;
  a.create_sandbox = create;
  std::vector<int> init_starts;
  std::vector<int> starts;

  if (create) {
    if (!ShouldRestartOnFailure(pod) && a.attempt != 0 && !obs.containers.empty()) {
      // A Never pod whose containers ran: do not bring a sandbox back just to find them done.
      a.create_sandbox = false;
      return a;
    }
    for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
      if (pod.spec.restart_policy == "OnFailure" && ContainerSucceeded(obs.Latest(pod.spec.containers[i].name))) continue;
      starts.push_back(static_cast<int>(i));
    }
    if (starts.empty() && HasAnyRegularContainerCreated(pod, obs)) {
      a.create_sandbox = false;
      return a;
    }
    if (!pod.spec.init_containers.empty()) {
      a.purge_init_containers = true;
      ApplyBackoff(in, {0}, true, &a.init_containers_to_start, &a.backoff_waits);
      return a;
    }
    ApplyBackoff(in, starts, false, &a.containers_to_start, &a.backoff_waits);
    return a;
  }

  KillDuplicates(in, &a);
  bool initialized = ComputeInitContainerActions(in, &a, &init_starts);
  if (a.kill_pod || !initialized) {
    ApplyBackoff(in, init_starts, true, &a.init_containers_to_start, &a.backoff_waits);
    return a;
  }

  int keep = 0;
  for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
    const Container& c = pod.spec.containers[i];
    const ContainerRef ref{false, static_cast<int>(i)};
    const ObservedContainer* s = obs.Latest(c.name);
    if (!s || s->state != ContainerState::kRunning) {
      if (ShouldContainerBeRestarted(pod, s)) {
        starts.push_back(static_cast<int>(i));
        if (s && s->state == ContainerState::kUnknown) {
          AddKill(&a, *s, ref, KillReason::kUnknownState,
                  "Container is in \"CONTAINER_UNKNOWN\" state, try killing it before restart");
        }
      }
      continue;
    }
    bool restart = ShouldRestartOnFailure(pod);
    std::string message;
    KillReason reason = KillReason::kNone;
    auto liveness = ProbeResult(in, s->id, probes::ProbeType::kLiveness);
    auto startup = ProbeResult(in, s->id, probes::ProbeType::kStartup);
    if (ContainerChanged(c, *s)) {
      message = "Container " + c.name + " definition changed";
      reason = KillReason::kDefinitionChanged;
      restart = true;  // a changed spec restarts whatever the policy
    } else if (liveness && *liveness == probes::Result::kFailure) {
      message = "Container " + c.name + " failed liveness probe";
      reason = KillReason::kLivenessProbe;
    } else if (startup && *startup == probes::Result::kFailure) {
      message = "Container " + c.name + " failed startup probe";
      reason = KillReason::kStartupProbe;
    } else {
      ++keep;
      continue;
    }
    if (restart) {
      message += ", will be restarted";
      starts.push_back(static_cast<int>(i));
    }
    AddKill(&a, *s, ref, reason, message);
  }

  if (keep == 0 && starts.empty()) {
    // Nothing left to run: stop the pod, and do not let sidecars keep it alive.
    a.kill_pod = true;
    init_starts.clear();
  }
  ApplyBackoff(in, init_starts, true, &a.init_containers_to_start, &a.backoff_waits);
  ApplyBackoff(in, starts, false, &a.containers_to_start, &a.backoff_waits);
  return a;
}

}  // namespace crilet::agent
