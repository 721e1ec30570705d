// The stats/v1alpha1 Summary JSON.
#include "server/stats_summary.h"

#include "server/pod_json.h"

namespace crilet::server {
namespace {

using nlohmann::json;

std::string Time(int64_t ns) { return FormatTime(FromUnixNanos(ns)); }

void Put(json* j, const char* key, const std::optional<uint64_t>& v) {
  if (v) (*j)[key] = *v;
}

json Cpu(const agent::CpuUsage& c) {
  json j = {{"time", Time(c.timestamp_ns)}};
  Put(&j, "usageNanoCores", c.usage_nano_cores);
  Put(&j, "usageCoreNanoSeconds", c.usage_core_nano_seconds);
  return j;
}

json Memory(const agent::MemoryUsage& m) {
  json j = {{"time", Time(m.timestamp_ns)}};
  Put(&j, "availableBytes", m.available_bytes);
  Put(&j, "usageBytes", m.usage_bytes);
  Put(&j, "workingSetBytes", m.working_set_bytes);
  Put(&j, "rssBytes", m.rss_bytes);
  Put(&j, "pageFaults", m.page_faults);
  Put(&j, "majorPageFaults", m.major_page_faults);
  return j;
}

json Fs(const agent::FsUsage& f) {
  json j = {{"time", Time(f.timestamp_ns)}};
  Put(&j, "availableBytes", f.available_bytes);
  Put(&j, "capacityBytes", f.capacity_bytes);
  Put(&j, "usedBytes", f.used_bytes);
  Put(&j, "inodesFree", f.inodes_free);
  Put(&j, "inodes", f.inodes);
  Put(&j, "inodesUsed", f.inodes_used);
  return j;
}

json Container(const agent::ContainerUsage& c, bool only_cpu_and_memory) {
  json j = {{"name", c.name}, {"cpu", Cpu(c.cpu)}, {"memory", Memory(c.memory)}};
  if (!only_cpu_and_memory) {
    j["rootfs"] = Fs(c.rootfs);
    j["logs"] = Fs(c.logs);
  }
  if (c.start_time_ns > 0) j["startTime"] = Time(c.start_time_ns);
  return j;
}

json Pod(const agent::PodUsage& p, bool only_cpu_and_memory) {
  json containers = json::array();
  for (const auto& c : p.containers) containers.push_back(Container(c, only_cpu_and_memory));
  json j = {{"podRef", {{"name", p.name}, {"namespace", p.namespace_}, {"uid", p.uid}}},
            {"containers", containers},
            {"cpu", Cpu(p.cpu)},
            {"memory", Memory(p.memory)}};
  // metav1.Time is not omitempty in PodStats: a pod not started yet has the zero time, as Go writes it.
  j["startTime"] = p.start_time_ns > 0 ? Time(p.start_time_ns) : "0001-01-01T00:00:00Z";
  if (!only_cpu_and_memory) j["ephemeral-storage"] = Fs(p.ephemeral_storage);
  if (!p.volumes.empty() && !only_cpu_and_memory) {
    json volumes = json::array();
    for (const auto& v : p.volumes) {
      json vj = Fs(v.fs);
      vj["name"] = v.name;
      volumes.push_back(vj);
    }
    j["volume"] = volumes;
  }
  if (p.process_count) j["process_stats"] = {{"process_count", *p.process_count}};
  return j;
}

}  // namespace

nlohmann::json SummaryJson(const agent::UsageSnapshot& s, bool only_cpu_and_memory) {
  const agent::NodeUsage& n = s.node;
  json node = {{"nodeName", n.node_name},
               {"startTime", n.start_time_ns > 0 ? Time(n.start_time_ns) : "0001-01-01T00:00:00Z"},
               {"cpu", Cpu(n.cpu)},
               {"memory", Memory(n.memory)}};
  if (!only_cpu_and_memory) {
    node["fs"] = Fs(n.fs);
    node["runtime"] = {{"imageFs", Fs(n.image_fs)}};
  }
  json pods = json::array();
  for (const auto& p : s.pods) pods.push_back(Pod(p, only_cpu_and_memory));
  return {{"node", node}, {"pods", pods}};
}

}  // namespace crilet::server
