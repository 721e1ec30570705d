// Node allocatable: reservations parsed, checked and subtracted as kubelet's container manager does.
#include "agent/node_allocatable.h"

#include <algorithm>

#include "manifests/quantity.h"

namespace crilet::agent {
namespace {

int64_t Sub(int64_t capacity, std::optional<int64_t> a, std::optional<int64_t> b, int64_t c = 0) {
  // "Negative Allocatable resources don't make sense."
  return std::max<int64_t>(0, capacity - a.value_or(0) - b.value_or(0) - c);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Status ParseReservation(const std::map<std::string, std::string>& values, ResourceReservation* out) {
  *out = ResourceReservation{};
  for (const auto& [name, text] : values) {
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pid") {
      return Status::InvalidArgument("cannot reserve " + Quote(name) + " resource");
    }
    std::string why;
    auto q = manifests::ParseQuantity(text, &why);
    if (!q) return Status::InvalidArgument("failed to parse quantity " + Quote(text) + " for " + Quote(name) + " resource: " + why);
    if (q->milli < 0) {
      return Status::InvalidArgument("resource quantity for " + Quote(name) + " cannot be negative: " + text);
    }
    if (name == "cpu") out->cpu_milli = q->MilliValue();
    if (name == "memory") out->memory_bytes = q->Value();
    if (name == "ephemeral-storage") out->ephemeral_storage_bytes = q->Value();
    if (name == "pid") out->pids = q->Value();
  }
  return Status::Ok();
}

bool NodeAllocatableConfig::Enforces(const std::string& key) const {
  return std::find(enforce.begin(), enforce.end(), key) != enforce.end();
}

std::string ValidateEnforceNodeAllocatable(const NodeAllocatableConfig& c, bool cgroups_per_qos, bool enforce_given) {
  const std::string flag = "enforceNodeAllocatable (--enforce-node-allocatable)";
  if (!cgroups_per_qos && enforce_given && !c.enforce.empty()) {
    return "invalid configuration: " + flag + " is not supported unless cgroupsPerQOS (--cgroups-per-qos) is set to true";
  }
  for (const auto& key : c.enforce) {
    if (key == kEnforcePods) continue;
    if (key == kEnforceSystemReserved) {
      if (c.system_reserved_cgroup.empty()) {
        return "invalid configuration: systemReservedCgroup (--system-reserved-cgroup) must be specified when "
               "\"system-reserved\" contained in " + flag;
      }
    } else if (key == kEnforceKubeReserved) {
      if (c.kube_reserved_cgroup.empty()) {
        return "invalid configuration: kubeReservedCgroup (--kube-reserved-cgroup) must be specified when "
               "\"kube-reserved\" contained in " + flag;
      }
    } else if (key == kEnforceNone) {
      if (c.enforce.size() > 1) {
        return "invalid configuration: " + flag + " may not contain additional enforcements when \"none\" is specified";
      }
    } else {
      return "invalid configuration: option " + Quote(key) + " specified for " + flag +
             ". Valid options are \"pods\", \"system-reserved\", \"kube-reserved\", or \"none\"";
    }
  }
  return "";
}

std::string ValidateReservations(const NodeCapacity& capacity, const NodeAllocatableConfig& c) {
  std::string errors;
  auto check = [&](const char* name, int64_t have, int64_t reserved, const std::string& unit) {
    if (have <= 0 || reserved <= have) return;
    errors += std::string(errors.empty() ? "" : " ") + "Resource " + Quote(name) + " has a reservation of " +
              std::to_string(reserved) + unit + " but capacity of " + std::to_string(have) + unit +
              ". Expected capacity >= reservation.";
  };
  check("cpu", capacity.cpu_milli, c.kube_reserved.cpu_milli.value_or(0) + c.system_reserved.cpu_milli.value_or(0), "m");
  check("memory", capacity.memory_bytes,
        c.kube_reserved.memory_bytes.value_or(0) + c.system_reserved.memory_bytes.value_or(0) + c.hard_eviction_memory_bytes,
        "");
  return errors.empty() ? "" : "invalid Node Allocatable configuration. " + errors;
}

NodeCapacity NodeAllocatable(const NodeCapacity& capacity, const NodeAllocatableConfig& c) {
  NodeCapacity out;
  out.cpu_milli = Sub(capacity.cpu_milli, c.kube_reserved.cpu_milli, c.system_reserved.cpu_milli);
  out.memory_bytes = Sub(capacity.memory_bytes, c.kube_reserved.memory_bytes, c.system_reserved.memory_bytes,
                         c.hard_eviction_memory_bytes);
  // pids are an internal resource: kubelet does not report them as allocatable.
  return out;
}

CgroupResources NodeAllocatableCgroupResources(const NodeCapacity& capacity, const NodeAllocatableConfig& c) {
  NodeCapacity limit = capacity;
  if (c.Enforces(kEnforcePods)) {
    limit.cpu_milli = Sub(capacity.cpu_milli, c.kube_reserved.cpu_milli, c.system_reserved.cpu_milli);
    limit.memory_bytes = Sub(capacity.memory_bytes, c.kube_reserved.memory_bytes, c.system_reserved.memory_bytes);
    limit.pids = Sub(capacity.pids, c.kube_reserved.pids, c.system_reserved.pids);
  }
  CgroupResources r;
  if (capacity.cpu_milli > 0) r.cpu_shares = MilliCpuToShares(limit.cpu_milli);
  if (capacity.memory_bytes > 0) r.memory_limit_bytes = limit.memory_bytes;
  if (capacity.pids > 0) r.pids_limit = limit.pids;
  return r;
}

CgroupResources ReservedCgroupResources(const ResourceReservation& reservation) {
  CgroupResources r;
  if (reservation.cpu_milli) r.cpu_shares = MilliCpuToShares(*reservation.cpu_milli);
  if (reservation.memory_bytes) r.memory_limit_bytes = *reservation.memory_bytes;
  if (reservation.pids) r.pids_limit = *reservation.pids;
  return r;
}

std::vector<ReservedCgroup> ReservedCgroupsToEnforce(const NodeAllocatableConfig& c) {
  std::vector<ReservedCgroup> out;
  if (c.Enforces(kEnforceSystemReserved)) out.push_back({"System Reserved", c.system_reserved_cgroup, c.system_reserved});
  if (c.Enforces(kEnforceKubeReserved)) out.push_back({"Kube Reserved", c.kube_reserved_cgroup, c.kube_reserved});
  return out;
}

}  // namespace crilet::agent
