// Cgroup names and settings, following kubelet's cm package function by function.
#include "agent/pod_cgroups.h"

#include <algorithm>

#include "agent/admission.h"
#include "agent/qos_policy.h"

namespace crilet::agent {
namespace {

constexpr int64_t kMinShares = 2;
constexpr int64_t kMaxShares = 262144;
constexpr int64_t kSharesPerCpu = 1024;
constexpr int64_t kQuotaPeriod = 100000;  // 100 ms, kubelet's default cpuCFSQuotaPeriod
constexpr int64_t kMinQuotaPeriod = 1000;

int64_t Limit(const manifests::Container& c, const char* resource, bool milli) {
  auto it = c.resources.limits.find(resource);
  if (it == c.resources.limits.end()) return 0;
  return milli ? it->second.MilliValue() : it->second.Value();
}

// systemd's unit names use '-' as the hierarchy separator, so kubelet escapes it inside a component.
std::string EscapeSystemd(std::string part) {
  std::replace(part.begin(), part.end(), '-', '_');
  return part;
}

}  // namespace

std::optional<CgroupDriver> ParseCgroupDriver(const std::string& name) {
  if (name == "cgroupfs") return CgroupDriver::kCgroupfs;
  if (name == "systemd") return CgroupDriver::kSystemd;
  return std::nullopt;
}

CgroupName ParseCgroupfsName(const std::string& path) {
  CgroupName out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string ToCgroupfs(const CgroupName& name) {
  std::string out;
  for (const auto& part : name) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string ToSystemd(const CgroupName& name) {
  if (name.empty()) return "/";
  // ExpandSlice("a-b-c.slice") = "/a.slice/a-b.slice/a-b-c.slice".
  std::string out, prefix;
  for (const auto& part : name) {
    prefix += (prefix.empty() ? "" : "-") + EscapeSystemd(part);
    out += "/" + prefix + ".slice";
  }
  return out;
}

std::string CgroupLiteralName(const CgroupName& name, CgroupDriver driver) {
  return driver == CgroupDriver::kSystemd ? ToSystemd(name) : ToCgroupfs(name);
}

QosCgroupNames QosCgroups(const std::string& cgroup_root) {
  QosCgroupNames q;
  q.guaranteed = ParseCgroupfsName(cgroup_root);
  q.guaranteed.push_back("kubepods");
  q.burstable = q.guaranteed;
  q.burstable.push_back("burstable");
  q.besteffort = q.guaranteed;
  q.besteffort.push_back("besteffort");
  return q;
}

CgroupName PodCgroupName(const QosCgroupNames& qos, const std::string& qos_class, const std::string& uid) {
  CgroupName name = qos_class == "Guaranteed" ? qos.guaranteed : qos_class == "Burstable" ? qos.burstable : qos.besteffort;
  name.push_back("pod" + uid);  // GetPodCgroupNameSuffix
  return name;
}

int64_t MilliCpuToShares(int64_t milli_cpu) {
  // Zero maps to MinShares, not the kernel's unset 1024: a pod asking for nothing gets the least.
  if (milli_cpu == 0) return kMinShares;
  return std::clamp<int64_t>(milli_cpu * kSharesPerCpu / 1000, kMinShares, kMaxShares);
}

int64_t MilliCpuToQuota(int64_t milli_cpu, int64_t period) {
  if (milli_cpu == 0) return 0;
  return std::max(milli_cpu * period / 1000, kMinQuotaPeriod);
}

PodLimits ComputePodLimits(const manifests::Pod& pod) {
  PodLimits sum;
  for (const auto& c : pod.spec.containers) {
    sum.cpu_milli += Limit(c, "cpu", true);
    sum.memory_bytes += Limit(c, "memory", false);
  }
  PodLimits sidecars, init_max;
  for (const auto& c : pod.spec.init_containers) {
    PodLimits mine{Limit(c, "cpu", true), Limit(c, "memory", false)};
    PodLimits during;
    if (manifests::IsSidecar(c)) {
      sum.cpu_milli += mine.cpu_milli;
      sum.memory_bytes += mine.memory_bytes;
      sidecars.cpu_milli += mine.cpu_milli;
      sidecars.memory_bytes += mine.memory_bytes;
      during = sidecars;
    } else {
      during = PodLimits{mine.cpu_milli + sidecars.cpu_milli, mine.memory_bytes + sidecars.memory_bytes};
    }
    init_max.cpu_milli = std::max(init_max.cpu_milli, during.cpu_milli);
    init_max.memory_bytes = std::max(init_max.memory_bytes, during.memory_bytes);
  }
  return PodLimits{std::max(sum.cpu_milli, init_max.cpu_milli), std::max(sum.memory_bytes, init_max.memory_bytes)};
}

CgroupResources PodCgroupResources(const manifests::Pod& pod, int64_t pod_pids_limit) {
  PodRequests requests = ComputePodRequests(pod);
  PodLimits limits = ComputePodLimits(pod);
  // ResourceConfigForPod's ContainerFn sees the regular containers only.
  bool cpu_limits_declared = true, memory_limits_declared = true;
  for (const auto& c : pod.spec.containers) {
    if (Limit(c, "cpu", true) == 0) cpu_limits_declared = false;
    if (Limit(c, "memory", false) == 0) memory_limits_declared = false;
  }
  int64_t shares = MilliCpuToShares(requests.cpu_milli);
  int64_t quota = MilliCpuToQuota(limits.cpu_milli, kQuotaPeriod);
  std::string qos = PodQosClass(pod);
  CgroupResources r;
  if (qos == "Guaranteed") {
    r.cpu_shares = shares;
    r.cpu_quota = quota;
    r.cpu_period = kQuotaPeriod;
    r.memory_limit_bytes = limits.memory_bytes;
  } else if (qos == "Burstable") {
    r.cpu_shares = shares;
    if (cpu_limits_declared) {
      r.cpu_quota = quota;
      r.cpu_period = kQuotaPeriod;
    }
    if (memory_limits_declared) r.memory_limit_bytes = limits.memory_bytes;
  } else {
    r.cpu_shares = kMinShares;
  }
  if (pod_pids_limit > 0) r.pids_limit = pod_pids_limit;
  return r;
}

int64_t BurstableCpuShares(const std::vector<const manifests::Pod*>& active_pods) {
  int64_t milli = 0;
  for (const auto* pod : active_pods) {
    if (PodQosClass(*pod) == "Burstable") milli += ComputePodRequests(*pod).cpu_milli;
  }
  return MilliCpuToShares(milli);
}

}  // namespace crilet::agent
