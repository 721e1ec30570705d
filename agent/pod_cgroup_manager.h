/// PodCgroupManager: kubelet's QoS cgroups (kubepods, burstable, besteffort) and one cgroup per pod, created
/// with kubelet's settings before the pod's sandbox and removed after it; the sandbox's CRI cgroup parent.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "agent/cgroup_fs.h"
#include "agent/node_allocatable.h"
#include "agent/pod_cgroups.h"
#include "manifests/pod.h"

namespace crilet::agent {

struct PodCgroupConfig {
  std::string cgroup_root = "/";                   // --cgroup-root ("" = "/")
  CgroupDriver driver = CgroupDriver::kCgroupfs;   // --cgroup-driver
  CgroupResources node_allocatable;               // kubepods' (NodeAllocatableCgroupResources)
  std::vector<ReservedCgroup> reserved_cgroups;    // enforceNodeAllocatable's kube-reserved, system-reserved
  int64_t pod_pids_limit = -1;                     // podPidsLimit (--pod-max-pids); -1 = none per pod
};

// Thread-safe: pod workers call it at once; mu_ guards the pod registry, the warnings and every file write.
// *fs must outlive the manager. A cgroup the kernel refuses a setting for is one warning per file name, never
// a failure: the pod runs with what the kernel took.
class PodCgroupManager {
 public:
  PodCgroupManager(PodCgroupConfig config, CgroupFs* fs);
  PodCgroupManager(const PodCgroupManager&) = delete;
  PodCgroupManager& operator=(const PodCgroupManager&) = delete;

  // kubelet's qosContainerManager.Start and createNodeAllocatableCgroups: the QoS tiers exist in every
  // controller, kubepods with node allocatable's settings, besteffort with 2 cpu shares. False with *why when the
  // hierarchy cannot be made (no cgroup v1, read-only): the caller then runs without pod cgroups. With the systemd
  // driver nothing is written (the runtime's systemd creates the slices).
  bool Start(std::string* why);

  // kubelet's enforceNodeAllocatableCgroups for kube-reserved and system-reserved (after Start): each named cgroup
  // must exist in every controller crilet manages (and systemd's), and gets its reservation's cpu.shares, memory
  // limit and pids.max. An error, in kubelet's words, for the first that fails: kubelet then does not start.
  Status EnforceReservedCgroups();

  // The CRI cgroup_parent of the pod's sandbox: <root>/kubepods[/<qos>]/pod<uid> in the driver's spelling.
  std::string CgroupParent(const manifests::Pod& pod) const;

  // Creates the pod's cgroup with PodCgroupResources (kubelet's EnsureExists, once per pod and crilet run) and
  // updates the burstable tier's cpu shares to include it.
  void EnsurePod(const manifests::Pod& pod);

  // Removes the pod's cgroup, in whichever QoS tier it is (an orphan's class is not known), with any empty
  // child cgroups the runtime left. An error (still busy) is remembered and retried by RetryRemovals.
  Status RemovePod(const std::string& uid);
  // Retries the removals that failed (called periodically); cheap when there are none.
  void RetryRemovals();

  // The burstable tier's cpu.shares as last computed, for tests.
  int64_t burstable_shares() const;

 private:
  // mu_ held. A refused write is one warning, or with `strict` the returned error (and the rest is not written).
  Status Apply(const CgroupName& name, const CgroupResources& r, bool strict = false);
  // mu_ held; true if it exists after. A failure is *error when given (and stops), else one warning.
  bool MakeCgroup(const CgroupName& name, std::string* error = nullptr);
  Status RemoveTree(const std::string& controller, const std::string& path);
  Status RemovePodLocked(const std::string& uid);
  void UpdateBurstableLocked();
  void WarnOnce(const std::string& key, const std::string& message);

  const PodCgroupConfig config_;
  CgroupFs* fs_;
  const QosCgroupNames qos_;
  mutable std::mutex mu_;  // guards everything below and all writes through fs_
  bool write_files_ = false;                   // cgroupfs driver on v1 and Start succeeded
  std::vector<std::string> controllers_;   // the hierarchies crilet creates cgroups and writes values in
  std::vector<std::string> hierarchies_;   // every mounted one, cleaned at a pod's removal
  std::map<std::string, manifests::Pod> pods_;  // by UID: the pods whose cgroup was ensured
  std::set<std::string> pending_removals_;
  std::set<std::string> warned_;
  int64_t burstable_shares_ = -1;
};

}  // namespace crilet::agent
