/// Kubelet's QoS and pod cgroups as values: their names under either cgroup driver and the settings each gets
/// (pkg/kubelet/cm: cgroup_manager_linux.go, helpers_linux.go, qos_container_manager_linux.go,
/// pod_container_manager_linux.go, node_container_manager_linux.go); pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifests/pod.h"

namespace crilet::agent {

enum class CgroupDriver { kCgroupfs, kSystemd };

// "cgroupfs" or "systemd" (KubeletConfiguration cgroupDriver, --cgroup-driver); nullopt for anything else.
std::optional<CgroupDriver> ParseCgroupDriver(const std::string& name);

// A cgroup as kubelet's CgroupName: its components from the root, {"kubepods", "burstable", "pod<uid>"}.
using CgroupName = std::vector<std::string>;

// "/a/b" -> {"a", "b"}; "/" and "" -> {} (kubelet's ParseCgroupfsToCgroupName).
CgroupName ParseCgroupfsName(const std::string& path);
// {"kubepods", "burstable"} -> "/kubepods/burstable"; {} -> "/".
std::string ToCgroupfs(const CgroupName& name);
// {"kubepods", "burstable", "pod1"} -> "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice":
// each component with '-' escaped to '_', joined with '-', expanded into its parent slices (systemd's
// ExpandSlice), as kubelet's CgroupName.ToSystemd. {} -> "/".
std::string ToSystemd(const CgroupName& name);
// The name the runtime is given (CRI cgroup_parent) and the cgroupfs path for the driver.
std::string CgroupLiteralName(const CgroupName& name, CgroupDriver driver);

// The QoS tiers under the cgroup root: Guaranteed pods live directly in kubepods.
struct QosCgroupNames {
  CgroupName guaranteed;  // <root>/kubepods
  CgroupName burstable;   // <root>/kubepods/burstable
  CgroupName besteffort;  // <root>/kubepods/besteffort
};
// cgroup_root as --cgroup-root gives it ("" means "/", as kubelet defaults it with --cgroups-per-qos).
QosCgroupNames QosCgroups(const std::string& cgroup_root);
// <qos tier>/pod<uid> for the pod's QoS class ("Guaranteed", "Burstable", "BestEffort").
CgroupName PodCgroupName(const QosCgroupNames& qos, const std::string& qos_class, const std::string& uid);

// What kubelet writes into a cgroup; unset fields are left as the kernel has them.
struct CgroupResources {
  std::optional<int64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;   // microseconds per cpu_period
  std::optional<int64_t> cpu_period;  // microseconds
  std::optional<int64_t> memory_limit_bytes;
  // pids.max: a count, or negative for "max" (no limit); 0 writes nothing, as libcontainer's PidsLimit.
  std::optional<int64_t> pids_limit;
  bool operator==(const CgroupResources&) const = default;
};

// kubelet's MilliCPUToShares: 0 -> 2 (MinShares), else milli*1024/1000 clamped to [2, 262144].
int64_t MilliCpuToShares(int64_t milli_cpu);
// kubelet's MilliCPUToQuota: 0 -> 0 (no quota), else milli*period/1000, at least 1000 (1 ms).
int64_t MilliCpuToQuota(int64_t milli_cpu, int64_t period);

// The pod's effective limits (resourcehelper.PodLimits): regular containers and sidecars summed, or more if an
// init container (plus the sidecars started before it) has more. A missing limit counts as 0.
struct PodLimits {
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
};
PodLimits ComputePodLimits(const manifests::Pod& pod);

// kubelet's ResourceConfigForPod (CPU CFS quota enforced, 100 ms period): Guaranteed: shares from the pod's cpu
// requests, quota from its cpu limits, memory limit; Burstable: shares, and the quota (memory limit) only when
// every regular container has a cpu (memory) limit; BestEffort: shares 2. With podPidsLimit (--pod-max-pids)
// above 0 every pod's pids.max is that (podContainerManager.EnsureExists); -1 and 0 leave pids.max alone, so the
// pod shares kubepods' limit.
CgroupResources PodCgroupResources(const manifests::Pod& pod, int64_t pod_pids_limit = -1);

// kubelet's setCPUCgroupConfig: the burstable tier's shares follow the summed cpu requests of the active
// Burstable pods (2 when there are none); besteffort always has 2.
int64_t BurstableCpuShares(const std::vector<const manifests::Pod*>& active_pods);
inline constexpr int64_t kBestEffortCpuShares = 2;

// kubepods' own settings come from NodeAllocatableCgroupResources (agent/node_allocatable.h).

}  // namespace crilet::agent
