// Resource usage computations: nanocores, cgroup v1 memory figures, filesystem sums.
#include "agent/usage.h"

#include <sstream>

namespace crilet::agent {

std::optional<uint64_t> NanoCores(const CpuSample& previous, const CpuSample& current) {
  if (current.timestamp_ns <= previous.timestamp_ns) return std::nullopt;
  if (current.usage_core_nano_seconds < previous.usage_core_nano_seconds) return std::nullopt;
  const long double used = static_cast<long double>(current.usage_core_nano_seconds - previous.usage_core_nano_seconds);
  const long double elapsed = static_cast<long double>(current.timestamp_ns - previous.timestamp_ns);
  return static_cast<uint64_t>(used / elapsed * 1e9L);
}

std::optional<uint64_t> PickNanoCores(const std::optional<CpuSample>& previous, const std::optional<CpuSample>& current,
                                      std::optional<uint64_t> runtime_nano_cores) {
  if (previous && current) {
    if (auto n = NanoCores(*previous, *current)) return n;
  }
  return runtime_nano_cores;
}

MemoryUsage MemoryFromCgroupV1(uint64_t usage_in_bytes, const std::string& memory_stat, std::optional<uint64_t> limit,
                               uint64_t capacity, int64_t timestamp_ns) {
  std::map<std::string, uint64_t> stat;
  std::istringstream in(memory_stat);
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) stat[key] = value;
  auto get = [&](const char* k) -> std::optional<uint64_t> {
    auto it = stat.find(k);
    return it == stat.end() ? std::nullopt : std::optional<uint64_t>(it->second);
  };
  MemoryUsage m;
  m.timestamp_ns = timestamp_ns;
  m.usage_bytes = usage_in_bytes;
  uint64_t inactive = get("total_inactive_file").value_or(0);
  m.working_set_bytes = inactive < usage_in_bytes ? usage_in_bytes - inactive : 0;
  m.rss_bytes = get("total_rss");
  m.page_faults = get("total_pgfault");
  m.major_page_faults = get("total_pgmajfault");
  // cAdvisor: available only for a cgroup with a real limit (v1 reports ~2^63 for "unlimited").
  if (limit && (capacity == 0 || *limit < capacity)) {
    m.available_bytes = *limit > *m.working_set_bytes ? *limit - *m.working_set_bytes : 0;
  }
  return m;
}

FsUsage SumFs(const std::vector<const FsUsage*>& parts, const FsUsage& device, int64_t timestamp_ns) {
  FsUsage out;
  out.timestamp_ns = timestamp_ns;
  out.available_bytes = device.available_bytes;
  out.capacity_bytes = device.capacity_bytes;
  out.inodes_free = device.inodes_free;
  out.inodes = device.inodes;
  uint64_t used = 0, inodes_used = 0;
  for (const FsUsage* p : parts) {
    used += p->used_bytes.value_or(0);
    inodes_used += p->inodes_used.value_or(0);
  }
  out.used_bytes = used;
  out.inodes_used = inodes_used;
  return out;
}

}  // namespace crilet::agent
