/// Node allocatable as kubelet reserves and enforces it (pkg/kubelet/cm/node_container_manager_linux.go,
/// cmd/kubelet/app/server.go parseResourceList, pkg/kubelet/apis/config/validation): pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/pod_cgroups.h"
#include "common/status.h"

namespace crilet::agent {

// kubeReserved or systemReserved (--kube-reserved cpu=100m,memory=256Mi,ephemeral-storage=1Gi,pid=1000): unset
// resources reserve nothing.
struct ResourceReservation {
  std::optional<int64_t> cpu_milli;
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> ephemeral_storage_bytes;
  std::optional<int64_t> pids;
  // kubelet's parseResourceList gives a nil list for an empty map: nothing to enforce on a reserved cgroup.
  bool empty() const { return !cpu_milli && !memory_bytes && !ephemeral_storage_bytes && !pids; }
};

// kubelet's parseResourceList: only cpu, memory, ephemeral-storage and pid, as non-negative quantities. The error
// is kubelet's ("cannot reserve \"gpu\" resource", "resource quantity for \"cpu\" cannot be negative: -1").
Status ParseReservation(const std::map<std::string, std::string>& values, ResourceReservation* out);

// What the node has; 0 is unknown (left out of every computation that needs it).
struct NodeCapacity {
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  int64_t pids = 0;  // min(kernel.pid_max, kernel.threads-max), kubelet's pidlimit.Stats
};

// enforceNodeAllocatable's keys (kubelet's kubetypes).
inline constexpr const char* kEnforcePods = "pods";
inline constexpr const char* kEnforceSystemReserved = "system-reserved";
inline constexpr const char* kEnforceKubeReserved = "kube-reserved";
inline constexpr const char* kEnforceNone = "none";
// kubelet's default evictionHard memory.available<100Mi, held back from allocatable (crilet evicts nothing, and
// reads no --eviction-hard: the default stays).
inline constexpr int64_t kDefaultHardEvictionMemoryBytes = 100LL << 20;

struct NodeAllocatableConfig {
  ResourceReservation kube_reserved;
  ResourceReservation system_reserved;
  std::vector<std::string> enforce = {kEnforcePods};  // kubelet's default
  std::string kube_reserved_cgroup;    // --kube-reserved-cgroup, a cgroupfs name ("/kube.slice")
  std::string system_reserved_cgroup;  // --system-reserved-cgroup
  int64_t hard_eviction_memory_bytes = kDefaultHardEvictionMemoryBytes;
  bool Enforces(const std::string& key) const;
};

// kubelet's ValidateKubeletConfiguration for enforceNodeAllocatable; "" when fine. `enforce_given` says the list
// was set (flag or file): kubelet also refuses its own default ["pods"] with cgroupsPerQOS false, crilet only a
// list the user gave (so --cgroups-per-qos=false alone keeps working as before).
std::string ValidateEnforceNodeAllocatable(const NodeAllocatableConfig& config, bool cgroups_per_qos,
                                           bool enforce_given);

// kubelet's validateNodeAllocatable: kubeReserved + systemReserved (+ the eviction threshold for memory) must not
// exceed the capacity. "" when fine, else kubelet's "invalid Node Allocatable configuration. ..." sentence.
std::string ValidateReservations(const NodeCapacity& capacity, const NodeAllocatableConfig& config);

// The node's allocatable as kubelet reports it and admits pods against (GetNodeAllocatableReservation):
// capacity - kubeReserved - systemReserved - the hard eviction threshold (memory), never below 0.
NodeCapacity NodeAllocatable(const NodeCapacity& capacity, const NodeAllocatableConfig& config);

// What kubelet writes into kubepods (enforceNodeAllocatableCgroups): with "pods" enforced, cpu.shares, memory limit
// and pids.max of capacity - kubeReserved - systemReserved (not the eviction threshold: kubelet evicts before the
// kernel's OOM killer would act at kubepods' limit); without it, of the capacity. Unknown capacities are left out.
CgroupResources NodeAllocatableCgroupResources(const NodeCapacity& capacity, const NodeAllocatableConfig& config);

// kubelet's getCgroupConfig for a kube- or system-reserved cgroup: cpu.shares of the reserved cpu, the reserved
// memory as its limit, the reserved pids as pids.max.
CgroupResources ReservedCgroupResources(const ResourceReservation& reservation);

// A kube- or system-reserved cgroup to enforce: kubelet's "Failed to enforce ... Reserved Cgroup Limits" names.
struct ReservedCgroup {
  std::string what;  // "System Reserved", "Kube Reserved"
  std::string name;  // cgroupfs name, "/system.slice"
  ResourceReservation reservation;
};
// The cgroups enforceNodeAllocatable names, system-reserved first as kubelet enforces them.
std::vector<ReservedCgroup> ReservedCgroupsToEnforce(const NodeAllocatableConfig& config);

}  // namespace crilet::agent
