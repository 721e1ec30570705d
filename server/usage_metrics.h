/// Resource usage as Prometheus series under kubelet's resource-metrics names (container_cpu_usage_seconds_total,
/// container_memory_working_set_bytes, pod_..., node_...), with container, pod and namespace labels.
#pragma once

#include "agent/usage.h"
#include "common/metrics.h"

namespace crilet::server {

// Declares the families, so /metrics lists them (HELP and TYPE) before the first collection.
void DeclareUsageMetrics(Metrics* metrics);
// Replaces every usage series with the snapshot's figures (unset figures leave their series out).
void UpdateUsageMetrics(Metrics* metrics, const agent::UsageSnapshot& snapshot);

}  // namespace crilet::server
