/// Kubelet's QoS class, node-critical test and container oom_score_adj (pkg/apis/core/v1/helper/qos, pkg/kubelet/qos); pure.
#pragma once

#include <cstdint>
#include <string>

#include "manifests/pod.h"

namespace crilet::agent {

// "Guaranteed", "Burstable" or "BestEffort", as kubelet's ComputePodQOS: cpu and memory requests and limits
// summed over all containers, init containers included; Guaranteed needs a cpu and a memory limit on every
// container and the summed requests equal to the summed limits.
std::string PodQosClass(const manifests::Pod& pod);

// Kubelet's types.IsNodeCriticalPod: IsCriticalPod (always true for a static pod) and priorityClassName
// system-node-critical. A high priority without that class name does not count.
bool IsNodeCriticalPod(const manifests::Pod& pod);

// Kubelet's GetContainerOOMScoreAdjust: node-critical and Guaranteed -997, BestEffort 1000, Burstable
// 1000 - 1000*memoryRequest/memoryCapacity clamped to [3, 999], sidecars a little below their regular
// containers. memory_capacity_bytes <= 0 (unknown) treats every request as tiny.
int64_t ContainerOomScoreAdjust(const manifests::Pod& pod, const manifests::Container& c,
                                int64_t memory_capacity_bytes);

}  // namespace crilet::agent
