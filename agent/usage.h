/// Resource usage as kubelet's stats/v1alpha1 Summary holds it (node, pods, containers, volumes), and the pure
/// computations behind it: CPU nanocores from two samples, cgroup v1 memory figures, filesystem sums.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace crilet::agent {

// One reading of a cumulative CPU counter.
struct CpuSample {
  int64_t timestamp_ns = 0;           // Unix nanoseconds
  uint64_t usage_core_nano_seconds = 0;
};

// CPU used between two readings, in nanocores (1e9 = one core busy), as kubelet's CRI stats provider computes
// it: nullopt when the readings are not in order or the counter went back (a new container or cgroup).
std::optional<uint64_t> NanoCores(const CpuSample& previous, const CpuSample& current);

struct CpuUsage {
  int64_t timestamp_ns = 0;
  std::optional<uint64_t> usage_nano_cores;         // over the last collection interval
  std::optional<uint64_t> usage_core_nano_seconds;  // cumulative
};

struct MemoryUsage {
  int64_t timestamp_ns = 0;
  std::optional<uint64_t> available_bytes;
  std::optional<uint64_t> usage_bytes;
  std::optional<uint64_t> working_set_bytes;
  std::optional<uint64_t> rss_bytes;
  std::optional<uint64_t> page_faults;
  std::optional<uint64_t> major_page_faults;
};

// A cgroup v1 memory controller's figures as cAdvisor derives them: working set = usage - total_inactive_file
// (0 when inactive exceeds usage), rss = total_rss, page faults = total_pgfault / total_pgmajfault; available =
// limit - working set when the limit is below `capacity` (an unlimited cgroup reports a huge number).
// `memory_stat` is memory.stat's text; keys it lacks leave their figure unset.
MemoryUsage MemoryFromCgroupV1(uint64_t usage_in_bytes, const std::string& memory_stat, std::optional<uint64_t> limit,
                               uint64_t capacity, int64_t timestamp_ns);

struct FsUsage {
  int64_t timestamp_ns = 0;
  std::optional<uint64_t> available_bytes;
  std::optional<uint64_t> capacity_bytes;
  std::optional<uint64_t> used_bytes;
  std::optional<uint64_t> inodes_free;
  std::optional<uint64_t> inodes;
  std::optional<uint64_t> inodes_used;
};

// The sum of the used bytes and inodes of `parts` (unset ones count as 0), with the capacity and free figures
// of `device` (the filesystem they live on): kubelet's pod ephemeral-storage.
FsUsage SumFs(const std::vector<const FsUsage*>& parts, const FsUsage& device, int64_t timestamp_ns);

struct ContainerUsage {
  std::string name;
  std::string id;
  int64_t start_time_ns = 0;  // Unix nanoseconds; 0 = unknown
  int32_t restart_count = 0;
  CpuUsage cpu;
  MemoryUsage memory;
  FsUsage rootfs;  // the writable layer
  FsUsage logs;    // the container's log directory
};

struct VolumeUsage {
  std::string name;
  FsUsage fs;
};

struct PodUsage {
  std::string name;
  std::string namespace_;
  std::string uid;
  int64_t start_time_ns = 0;
  std::vector<ContainerUsage> containers;
  CpuUsage cpu;
  MemoryUsage memory;
  std::vector<VolumeUsage> volumes;  // emptyDir volumes
  FsUsage ephemeral_storage;         // writable layers + logs + emptyDirs
  std::optional<uint64_t> process_count;
};

struct NodeUsage {
  std::string node_name;
  int64_t start_time_ns = 0;
  CpuUsage cpu;
  MemoryUsage memory;
  FsUsage fs;        // the filesystem of the root directory
  FsUsage image_fs;  // the runtime's image filesystem
  uint64_t cpu_capacity_milli = 0;
  uint64_t memory_capacity_bytes = 0;
};

// One collection: what kubelet's GET /stats/summary serves.
struct UsageSnapshot {
  TimePoint time;
  NodeUsage node;
  std::vector<PodUsage> pods;  // sorted by namespace and name
};

// When kubelet's provider has no previous reading of a container it takes the runtime's own average, if given.
// The figure with our two readings wins; else `runtime_nano_cores`.
std::optional<uint64_t> PickNanoCores(const std::optional<CpuSample>& previous, const std::optional<CpuSample>& current,
                                      std::optional<uint64_t> runtime_nano_cores);

}  // namespace crilet::agent
