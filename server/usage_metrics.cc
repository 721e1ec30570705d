// Usage series from a UsageSnapshot, named as kubelet's /metrics/resource names them.
#include "server/usage_metrics.h"

namespace crilet::server {
namespace {

constexpr const char* kFamilies[] = {
    "container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_memory_rss_bytes",
    "container_start_time_seconds",      "pod_cpu_usage_seconds_total",        "pod_memory_working_set_bytes",
    "node_cpu_usage_seconds_total",      "node_memory_working_set_bytes"};

void SetIf(Metrics* m, const char* name, const MetricLabels& labels, const std::optional<uint64_t>& v, double scale = 1) {
  if (v) m->Set(name, labels, static_cast<double>(*v) * scale);
}

}  // namespace

void DeclareUsageMetrics(Metrics* m) {
  using T = Metrics::Type;
  m->Declare("container_cpu_usage_seconds_total", T::kCounter, "Cumulative cpu time consumed by the container in core-seconds");
  m->Declare("container_memory_working_set_bytes", T::kGauge, "Current working set of the container in bytes");
  m->Declare("container_memory_rss_bytes", T::kGauge, "Size of RSS of the container in bytes");
  m->Declare("container_start_time_seconds", T::kGauge, "Start time of the container since unix epoch in seconds");
  m->Declare("pod_cpu_usage_seconds_total", T::kCounter, "Cumulative cpu time consumed by the pod in core-seconds");
  m->Declare("pod_memory_working_set_bytes", T::kGauge, "Current working set of the pod in bytes");
  m->Declare("node_cpu_usage_seconds_total", T::kCounter, "Cumulative cpu time consumed by the node in core-seconds");
  m->Declare("node_memory_working_set_bytes", T::kGauge, "Current working set of the node in bytes");
}

void UpdateUsageMetrics(Metrics* m, const agent::UsageSnapshot& s) {
  for (const char* f : kFamilies) m->ResetFamily(f);
  SetIf(m, "node_cpu_usage_seconds_total", {}, s.node.cpu.usage_core_nano_seconds, 1e-9);
  SetIf(m, "node_memory_working_set_bytes", {}, s.node.memory.working_set_bytes);
  for (const auto& p : s.pods) {
    const MetricLabels pod = {{"namespace", p.namespace_}, {"pod", p.name}};
    SetIf(m, "pod_cpu_usage_seconds_total", pod, p.cpu.usage_core_nano_seconds, 1e-9);
    SetIf(m, "pod_memory_working_set_bytes", pod, p.memory.working_set_bytes);
    for (const auto& c : p.containers) {
      const MetricLabels l = {{"container", c.name}, {"namespace", p.namespace_}, {"pod", p.name}};
      SetIf(m, "container_cpu_usage_seconds_total", l, c.cpu.usage_core_nano_seconds, 1e-9);
      SetIf(m, "container_memory_working_set_bytes", l, c.memory.working_set_bytes);
      SetIf(m, "container_memory_rss_bytes", l, c.memory.rss_bytes);
      if (c.start_time_ns > 0) m->Set("container_start_time_seconds", l, static_cast<double>(c.start_time_ns / 1000000000));  // whole seconds: the text format's 9 digits
    }
  }
}

}  // namespace crilet::server
