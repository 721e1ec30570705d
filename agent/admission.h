/// AdmitPod: kubelet's admission of a pod to the node (resources, nodeSelector, required node affinity); pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "manifests/pod.h"

namespace crilet::agent {

// What admission knows of the node: its name and labels, and what pods may request.
struct NodeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  int64_t allocatable_cpu_milli = 0;
  int64_t allocatable_memory_bytes = 0;
};

// Kubelet's own node labels (kubelet_node_status.go): kubernetes.io/hostname, kubernetes.io/os,
// kubernetes.io/arch and their beta.kubernetes.io twins; `extra` (--node-labels) is added on top.
std::map<std::string, std::string> NodeLabels(const std::string& node_name, const std::string& go_arch,
                                              const std::map<std::string, std::string>& extra);
// uname's machine as Go names it (x86_64 -> amd64, aarch64 -> arm64...), as kubernetes.io/arch shows it.
std::string GoArch(const std::string& machine);

// What the pod asks of the node (resourcehelper.PodRequests): the sum over regular containers and sidecars,
// or more if an init container (plus the sidecars started before it) asks for more.
struct PodRequests {
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
};
PodRequests ComputePodRequests(const manifests::Pod& pod);

// spec.nodeSelector (all labels equal) and requiredDuringSchedulingIgnoredDuringExecution (any term; in a
// term, every matchExpression and matchField) against the node, as the scheduler's nodeaffinity plugin.
bool MatchesNodeSelectorAndAffinity(const manifests::Pod& pod, const NodeInfo& node);

struct Admission {
  bool admitted = true;
  std::string reason;   // OutOfcpu, OutOfmemory, NodeAffinity
  std::string message;  // kubelet's: "Node didn't have enough resource: cpu, requested: ..."; "Predicate NodeAffinity failed"
};

// Kubelet's predicate admit handler for a new pod, given the pods already admitted and still active; the
// first failure in kubelet's order (cpu, memory, node affinity) decides. A rejected pod is Failed with
// reason `reason` and message "Pod was rejected: " + `message`, and never runs.
Admission AdmitPod(const manifests::Pod& pod, const NodeInfo& node, const std::vector<const manifests::Pod*>& active);

}  // namespace crilet::agent
