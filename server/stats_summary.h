/// GET /stats/summary: a UsageSnapshot as kubelet's stats/v1alpha1 Summary JSON (node and pods); pure.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/usage.h"

namespace crilet::server {

// Field names and nesting of kubelet's pkg/kubelet/apis/stats/v1alpha1 types (Summary, NodeStats, PodStats,
// ContainerStats, CPUStats, MemoryStats, FsStats, VolumeStats); unset figures are left out, as Go's omitempty
// pointers are. Times are metav1.Time ("2006-01-02T15:04:05Z").
// `only_cpu_and_memory` (kubelet's ?only_cpu_and_memory=true, which metrics-server asked for) leaves out the
// filesystem figures: node fs and runtime, containers' rootfs and logs, pods' volume and ephemeral-storage.
nlohmann::json SummaryJson(const agent::UsageSnapshot& snapshot, bool only_cpu_and_memory = false);

}  // namespace crilet::server
