// Pod status generation: container statuses, readiness, phase and conditions as kubelet computes them.
#include "agent/status_gen.h"

#include <algorithm>

#include "agent/labels.h"
#include "agent/plan.h"
#include "agent/qos_policy.h"

namespace crilet::agent {
namespace {

using manifests::Container;
using manifests::Pod;

std::string ContainerIdUrl(const std::string& id) { return "containerd://" + id; }

ContainerState ConvertState(const ObservedContainer& c, const std::map<std::string, std::string>* messages) {
  ContainerState s;
  switch (c.state) {
    case cri::ContainerState::kRunning:
      s.running = ContainerStateRunning{FromUnixNanos(c.started_at)};
      break;
    case cri::ContainerState::kExited: {
      ContainerStateTerminated t;
      t.exit_code = c.exit_code;
      t.reason = c.reason;
      t.message = c.message;
      if (messages) {
        auto it = messages->find(c.id);
        if (it != messages->end() && !it->second.empty()) {
          t.message += (t.message.empty() ? "" : ": ") + it->second;
        }
      }
      t.started_at = FromUnixNanos(c.started_at);
      t.finished_at = FromUnixNanos(c.finished_at);
      t.container_id = ContainerIdUrl(c.id);
      s.terminated = t;
      break;
    }
    default:  // created or unknown: waiting without a reason
      s.waiting = ContainerStateWaiting{};
      break;
  }
  return s;
}

std::vector<ContainerStatus> ConvertStatuses(const StatusInput& in, const std::vector<Container>& containers,
                                             bool is_init) {
  const Pod& pod = *in.pod;
  const bool has_inits = !pod.spec.init_containers.empty();
  std::vector<ContainerStatus> out;
  for (const auto& c : containers) {
    ContainerStatus st;
    st.name = c.name;
    st.image = c.image;
    st.state.waiting = ContainerStateWaiting{has_inits ? "PodInitializing" : "ContainerCreating", ""};
    int seen = 0;
    for (const auto& inst : in.observed->containers) {  // newest first
      if (inst.name != c.name) continue;
      if (seen == 0) {
        st.state = ConvertState(inst, in.termination_messages);
        st.restart_count = inst.restart_count;
        if (!inst.image.empty()) st.image = inst.image;
        st.image_id = inst.image_ref;
        st.container_id = ContainerIdUrl(inst.id);
      } else {
        st.last_state = ConvertState(inst, in.termination_messages);
        break;
      }
      ++seen;
    }
    const ObservedContainer* latest = in.observed->Latest(c.name);

    // Containers that will be started again show why they are not running yet.
    bool skip = is_init && latest && latest->state == cri::ContainerState::kExited && latest->exit_code == 0;
    if (!skip && ShouldContainerBeRestarted(pod, latest) && in.start_failures) {
      auto f = in.start_failures->find(c.name);
      if (f != in.start_failures->end()) {
        if (st.state.terminated) st.last_state = st.state;
        st.state = ContainerState{};
        st.state.waiting = ContainerStateWaiting{f->second.reason, f->second.message};
      }
    }

    // Started and ready, from the probe results (prober_manager.UpdatePodStatus).
    bool running = st.state.running.has_value();
    bool started = false;
    if (running && latest) {
      if (c.startup_probe) {
        auto r = probes::Lookup(in.probes, latest->id, probes::ProbeType::kStartup);
        started = r && *r == probes::Result::kSuccess;
      } else {
        started = true;
      }
    }
    st.started = started;
    if (is_init && !manifests::IsSidecar(c)) {
      st.ready = st.state.terminated && st.state.terminated->exit_code == 0;
    } else if (started) {
      if (c.readiness_probe) {
        auto r = probes::Lookup(in.probes, latest->id, probes::ProbeType::kReadiness);
        st.ready = r && *r == probes::Result::kSuccess;
      } else {
        st.ready = true;
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

const ContainerStatus* Find(const std::vector<ContainerStatus>& v, const std::string& name) {
  for (const auto& s : v) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string GoList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

PodCondition Condition(const std::string& type, bool ok, const std::string& reason = "", const std::string& message = "") {
  return PodCondition{type, ok ? "True" : "False", reason, message, {}};
}

PodCondition InitializedCondition(const Pod& pod, const std::vector<ContainerStatus>& all, const std::string& phase) {
  std::vector<std::string> unknown, incomplete;
  for (const auto& c : pod.spec.init_containers) {
    const ContainerStatus* s = Find(all, c.name);
    if (!s) {
      unknown.push_back(c.name);
    } else if (manifests::IsSidecar(c)) {
      if (!s->started.value_or(false)) incomplete.push_back(c.name);
    } else if (!s->ready) {
      incomplete.push_back(c.name);
    }
  }
  if (phase == "Succeeded" && unknown.empty()) return Condition("Initialized", true, "PodCompleted");
  for (const auto& c : pod.spec.containers) {
    const ContainerStatus* s = Find(all, c.name);
    if (s && (s->state.running || s->state.terminated)) return Condition("Initialized", true);
  }
  std::vector<std::string> parts;
  if (!unknown.empty()) parts.push_back("containers with unknown status: " + GoList(unknown));
  if (!incomplete.empty()) parts.push_back("containers with incomplete status: " + GoList(incomplete));
  if (parts.empty()) return Condition("Initialized", true);
  std::string msg = parts[0] + (parts.size() > 1 ? ", " + parts[1] : "");
  return Condition("Initialized", false, "ContainersNotInitialized", msg);
}

PodCondition ReadyCondition(const std::string& type, const Pod& pod, const std::vector<ContainerStatus>& all,
                            const std::string& phase) {
  std::vector<std::string> unknown, unready;
  for (const auto& c : pod.spec.init_containers) {
    if (!manifests::IsSidecar(c)) continue;
    const ContainerStatus* s = Find(all, c.name);
    if (!s) unknown.push_back(c.name);
    else if (!s->ready) unready.push_back(c.name);
  }
  for (const auto& c : pod.spec.containers) {
    const ContainerStatus* s = Find(all, c.name);
    if (!s) unknown.push_back(c.name);
    else if (!s->ready) unready.push_back(c.name);
  }
  if (phase == "Succeeded" && unknown.empty()) return Condition(type, false, "PodCompleted");
  if (phase == "Failed") return Condition(type, false, "PodFailed");
  std::vector<std::string> parts;
  if (!unknown.empty()) parts.push_back("containers with unknown status: " + GoList(unknown));
  if (!unready.empty()) parts.push_back("containers with unready status: " + GoList(unready));
  if (parts.empty()) return Condition(type, true);
  std::string msg = parts[0] + (parts.size() > 1 ? ", " + parts[1] : "");
  return Condition(type, false, "ContainersNotReady", msg);
}

}  // namespace

std::string PodPhase(const Pod& pod, const std::vector<ContainerStatus>& init_statuses,
                     const std::vector<ContainerStatus>& statuses, bool pod_has_initialized) {
  int pending_init = 0, pending_sidecars = 0, failed_init = 0;
  int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : pod.spec.init_containers) {
    const ContainerStatus* s = Find(init_statuses, c.name);
    if (manifests::IsSidecar(c)) {
      if (!s) {
        ++unknown;
      } else if (s->state.running) {
        if (!s->started.value_or(false)) ++pending_sidecars;
        ++running;
      } else if (s->state.terminated) {
        // terminated sidecars do not count
      } else if (s->state.waiting) {
        if (!s->last_state.terminated) {
          ++pending_sidecars;
          ++waiting;
        }
      } else {
        ++pending_sidecars;
        ++unknown;
      }
      continue;
    }
    if (!s) {
      ++pending_init;
    } else if (s->state.running) {
      ++pending_init;
    } else if (s->state.terminated) {
      if (s->state.terminated->exit_code != 0) ++failed_init;
    } else if (s->state.waiting) {
      if (s->last_state.terminated) {
        if (s->last_state.terminated->exit_code != 0) ++failed_init;
      } else {
        ++pending_init;
      }
    } else {
      ++pending_init;
    }
  }
  for (const auto& c : pod.spec.containers) {
    const ContainerStatus* s = Find(statuses, c.name);
    if (!s) {
      ++unknown;
    } else if (s->state.running) {
      ++running;
    } else if (s->state.terminated) {
      ++stopped;
      if (s->state.terminated->exit_code == 0) ++succeeded;
    } else if (s->state.waiting) {
      if (s->last_state.terminated) ++stopped; else ++waiting;
    } else {
      ++unknown;
    }
  }
  const std::string& policy = pod.spec.restart_policy;
  if (failed_init > 0 && policy == "Never") return "Failed";
  if (pending_init > 0 || (pending_sidecars > 0 && !pod_has_initialized) || waiting > 0) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

PodStatus GeneratePodStatus(const StatusInput& in) {
  const Pod& pod = *in.pod;
  const ObservedPod& obs = *in.observed;
  PodStatus s;
  s.host_ip = in.host_ip;
  if (!obs.sandboxes.empty() && obs.sandboxes.front().state == cri::SandboxState::kReady) {
    s.pod_ip = pod.spec.host_network ? in.host_ip : obs.sandboxes.front().ip;
  }
  if (!s.pod_ip.empty()) s.pod_ips = {s.pod_ip};
  s.start_time = in.start_time;
  s.qos_class = PodQosClass(pod);
  s.init_container_statuses = ConvertStatuses(in, pod.spec.init_containers, true);
  s.container_statuses = ConvertStatuses(in, pod.spec.containers, false);

  // Kubelet's HasAnyActiveRegularContainerStarted: a regular container ran in the current sandbox.
  bool initialized_before = false;
  if (!obs.sandboxes.empty()) {
    for (const auto& c : pod.spec.containers) {
      for (const auto& inst : obs.containers) {
        if (inst.name == c.name && inst.sandbox_id == obs.sandboxes.front().id && inst.started_at != 0) {
          initialized_before = true;
        }
      }
    }
  }
  s.phase = PodPhase(pod, s.init_container_statuses, s.container_statuses, initialized_before);
  if (in.deadline_exceeded) {
    s.phase = "Failed";
    s.reason = "DeadlineExceeded";
    s.message = "Pod was active on the node longer than the specified deadline";
  }

  std::vector<ContainerStatus> all = s.init_container_statuses;
  all.insert(all.end(), s.container_statuses.begin(), s.container_statuses.end());
  s.conditions.push_back(Condition("PodReadyToStartContainers", !SandboxChanged(pod, obs).create));
  s.conditions.push_back(InitializedCondition(pod, all, s.phase));
  s.conditions.push_back(ReadyCondition("Ready", pod, all, s.phase));
  s.conditions.push_back(ReadyCondition("ContainersReady", pod, all, s.phase));
  s.conditions.push_back(Condition("PodScheduled", true));
  for (auto& c : s.conditions) {
    c.last_transition_time = in.now;
    if (!in.previous) continue;
    for (const auto& old : in.previous->conditions) {
      if (old.type == c.type && old.status == c.status) c.last_transition_time = old.last_transition_time;
    }
  }
  return s;
}

}  // namespace crilet::agent
