// A pod's status without the agent: the planner and GeneratePodStatus over the runtime's state and the checkpoint.
#include "cli/local_pod_record.h"

#include <set>

#include "agent/backoff.h"
#include "agent/labels.h"
#include "agent/plan.h"
#include "agent/status_gen.h"
#include "manifests/pod_config.h"
#include "manifests/static_pod.h"

namespace crilet::cli {

agent::PodRecord LocalPodRecord(const LocalPodInput& in) {
  static const agent::PodCheckpoint kNone;
  const agent::PodCheckpoint& cp = in.checkpoint ? *in.checkpoint : kNone;
  agent::Backoff backoff(in.crash_backoff_initial, in.crash_backoff_max);
  for (const auto& [key, e] : cp.crash_backoff) backoff.Restore(key, e);
  agent::PlanInput plan;
  plan.pod = in.pod;
  plan.observed = in.observed;
  plan.probes = &cp.probe_results;
  plan.crash_backoff = &backoff;
  plan.now = in.now;
  plan.start_time = cp.start_time;
  agent::PodActions actions = agent::ComputePodActions(plan);
  std::map<std::string, agent::StartFailure> failures;
  for (const auto& w : actions.backoff_waits) {
    failures[agent::SpecContainer(*in.pod, w.ref).name] = agent::StartFailure{"CrashLoopBackOff", w.message};
  }
  agent::PodStatus previous;
  for (const auto& [type, c] : cp.conditions) {
    previous.conditions.push_back(agent::PodCondition{type, c.status, "", "", c.last_transition_time});
  }
  agent::StatusInput si;
  si.pod = in.pod;
  si.observed = in.observed;
  si.probes = &cp.probe_results;
  si.start_failures = &failures;
  si.termination_messages = in.termination_messages;
  si.previous = &previous;
  si.host_ip = in.host_ip;
  si.start_time = cp.start_time;
  si.now = in.now;
  si.deadline_exceeded = actions.deadline_exceeded;
  agent::PodRecord r;
  r.pod = *in.pod;
  r.status = agent::GeneratePodStatus(si);
  // The agent's config.seen is when it first saw the pod; a fresh scan would say "now".
  if (cp.start_time) r.pod.metadata.annotations[manifests::kConfigSeenAnnotation] = manifests::SeenTime(*cp.start_time);
  return r;
}

manifests::Pod DepartingPod(const cri::Sandbox& sandbox, const agent::ObservedPod& observed,
                            const std::string& node_name) {
  manifests::Pod pod;
  pod.metadata.name = sandbox.metadata.name;
  pod.metadata.namespace_ = sandbox.metadata.namespace_;
  pod.metadata.uid = sandbox.metadata.uid;
  pod.spec.node_name = node_name;
  pod.spec.restart_policy = "Always";
  for (const auto& [k, v] : sandbox.labels) {
    if (k.rfind("io.kubernetes.", 0) != 0 && k.rfind("io.crilet.", 0) != 0) pod.metadata.labels[k] = v;
  }
  std::set<std::string> names;
  // Oldest first, so the containers keep the order they were started in.
  for (auto it = observed.containers.rbegin(); it != observed.containers.rend(); ++it) {
    if (!names.insert(it->name).second) continue;
    manifests::Container c;
    c.name = it->name;
    c.image = observed.Latest(it->name)->image;
    pod.spec.containers.push_back(std::move(c));
  }
  return pod;
}

InstanceIdentity FindInstance(const std::vector<cri::Sandbox>& sandboxes, const InstanceIdentity& configured) {
  auto label = [](const cri::Sandbox& sb, const char* key) {
    auto it = sb.labels.find(key);
    return it == sb.labels.end() ? std::string() : it->second;
  };
  const cri::Sandbox* newest = nullptr;
  const cri::Sandbox* newest_configured = nullptr;
  for (const auto& sb : sandboxes) {
    const std::string root = label(sb, agent::kInstanceLabel);
    if (root.empty()) continue;
    if (!newest || sb.created_at > newest->created_at) newest = &sb;
    if (root == configured.root_dir && (!newest_configured || sb.created_at > newest_configured->created_at)) {
      newest_configured = &sb;
    }
  }
  const cri::Sandbox* chosen = newest_configured ? newest_configured : newest;
  if (!chosen) return configured;
  InstanceIdentity out{label(*chosen, agent::kInstanceLabel), label(*chosen, agent::kNodeNameLabel)};
  if (out.node_name.empty()) out.node_name = configured.node_name;  // made before crilet wrote the label
  return out;
}

}  // namespace crilet::cli
