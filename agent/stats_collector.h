/// StatsCollector: kubelet's housekeeping for resource usage: every interval, one reading of every pod's and
/// container's CPU, memory and disk (CRI stats, else the pod cgroups), kept as the latest UsageSnapshot.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/api_status.h"
#include "agent/cgroup_fs.h"
#include "agent/disk_usage.h"
#include "agent/usage.h"
#include "common/clock.h"
#include "cri/runtime.h"

namespace crilet::agent {

struct StatsCollectorOptions {
  // kubelet's --housekeeping-interval (cAdvisor's, 10 s): the CPU rate is the average over it.
  std::chrono::nanoseconds interval = std::chrono::seconds(10);
  std::string node_name;
  std::string root_dir;      // emptyDir volumes live in <root_dir>/pods/<uid>/volumes; its filesystem is the node's
  std::string pod_logs_dir;  // <pod_logs_dir>/<ns>_<name>_<uid>/<container>
  // The pod cgroups exist (--cgroups-per-qos with cgroupfs on v1): pod CPU and memory come from them when the
  // runtime has no ListPodSandboxStats. Else a pod's figures are its containers' sums.
  bool pod_cgroups = false;
  std::string cgroup_root = "/";
  uint64_t node_cpu_milli = 0;
  uint64_t node_memory_bytes = 0;
  int64_t node_start_time_ns = 0;  // the node's boot time, Unix nanoseconds
};

// Lifetime: construct, Start(), Stop() (or destroy). The pointers must outlive the collector; `cgroups` may be
// null (no node or pod cgroup figures). Thread-safe: Latest() from any thread while the loop collects. A
// figure the runtime or the kernel does not give stays unset, with one log line per kind of failure.
class StatsCollector {
 public:
  StatsCollector(StatsCollectorOptions options, cri::Runtime* runtime, const CgroupFs* cgroups, const DiskUsage* disk,
                 std::function<std::vector<PodRecord>()> pods, const Clock* clock);
  ~StatsCollector();
  StatsCollector(const StatsCollector&) = delete;
  StatsCollector& operator=(const StatsCollector&) = delete;

  // Collects at once, then every interval, on a thread of its own.
  void Start();
  void Stop();
  // One collection, as the loop does it (tests call it with a fake clock).
  void CollectOnce();
  // The latest collection; null before the first.
  std::shared_ptr<const UsageSnapshot> Latest() const;
  // Whether pod figures come from ListPodSandboxStats: nullopt until the runtime was asked.
  std::optional<bool> RuntimeHasPodStats() const;

 private:
  struct CgroupReading {
    std::optional<CpuSample> cpu;
    MemoryUsage memory;
    std::optional<uint64_t> pids;
  };
  void Loop();
  // The cgroup's CPU counter, memory figures and task count (path in cgroupfs spelling); unset what fails.
  CgroupReading ReadCgroup(const std::string& path, uint64_t capacity, int64_t now_ns);
  // CPU figures for key, from the reading and the one kept from the previous collection.
  CpuUsage Rate(const std::string& key, std::optional<CpuSample> current, std::optional<uint64_t> runtime_nano_cores,
                int64_t now_ns);
  ContainerUsage Container(const PodRecord& record, const ContainerStatus& status, const cri::ContainerStats* stats,
                           const FsUsage& image_device, int64_t now_ns);
  void FillPodTotals(const PodRecord& record, const cri::PodSandboxStats* sandbox, PodUsage* pod, int64_t now_ns);
  void FillNode(NodeUsage* node, int64_t now_ns);
  void Warn(const std::string& kind, const std::string& message);  // once per kind

  const StatsCollectorOptions options_;
  cri::Runtime* runtime_;
  const CgroupFs* cgroups_;
  const DiskUsage* disk_;
  std::function<std::vector<PodRecord>()> pods_;
  const Clock* clock_;

  std::mutex collect_mu_;  // serializes collections; guards everything below up to mu_
  std::map<std::string, CpuSample> last_cpu_;  // by "container/<id>", "pod/<uid>", "node"
  std::map<std::string, CpuSample> this_cpu_;  // this collection's readings, kept for the next
  std::set<std::string> warned_;

  mutable std::mutex mu_;  // guards latest_, sandbox_stats_, stopping_
  std::condition_variable cv_;
  std::shared_ptr<const UsageSnapshot> latest_;
  std::optional<bool> sandbox_stats_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crilet::agent
