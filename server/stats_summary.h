/// GET /stats/summary: a UsageSnapshot as kubelet's stats/v1alpha1 Summary JSON (node and pods); pure.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/usage.h"

namespace crilet::server {

// Field names and nesting of kubelet's pkg/kubelet/apis/stats/v1alpha1 types (Summary, NodeStats, PodStats,
// ContainerStats, CPUStats, MemoryStats, FsStats, VolumeStats); unset figures are left out, as Go's omitempty
// pointers are. Times are metav1.Time ("2006-01-02T15:04:05Z").
nlohmann::json SummaryJson(const agent::UsageSnapshot& snapshot);

}  // namespace crilet::server
