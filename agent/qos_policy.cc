// QoS class and OOM score adjustment, following kubelet's qos helpers and qos/policy.go line by line.
#include "agent/qos_policy.h"

#include <algorithm>
#include <map>

#include "manifests/defaults.h"

namespace crilet::agent {
namespace {

using manifests::Container;
using manifests::Pod;
using manifests::Quantity;

constexpr int64_t kGuaranteedOomScoreAdj = -997;
constexpr int64_t kBestEffortOomScoreAdj = 1000;
// scheduler util DefaultMemoryRequest: what a container without a memory request counts as for sidecars.
constexpr int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;

const Quantity* Find(const std::map<std::string, Quantity>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? nullptr : &it->second;
}

// The request as the API server leaves it: a limit without a request makes the request equal to the limit.
const Quantity* Request(const Container& c, const std::string& resource) {
  const Quantity* q = Find(c.resources.requests, resource);
  return q ? q : Find(c.resources.limits, resource);
}

int64_t MemoryRequestBytes(const Container& c) {
  const Quantity* q = Request(c, "memory");
  return q ? q->Value() : 0;
}

// The memory request a sidecar is compared with: the smallest of the regular containers' requests and its
// own, a missing one counting as kDefaultMemoryRequest (resourcehelper.MinRegularContainerResourceList).
int64_t MinMemoryRequest(const Pod& pod, const Container& sidecar) {
  auto request = [](const Container& c) {
    const Quantity* q = Request(c, "memory");
    return q ? q->Value() : kDefaultMemoryRequest;
  };
  int64_t min = request(sidecar);
  for (const auto& c : pod.spec.containers) min = std::min(min, request(c));
  return min;
}

bool IsSidecarOf(const Pod& pod, const Container& c) {
  for (const auto& init : pod.spec.init_containers) {
    if (init.name == c.name) return manifests::IsSidecar(c);
  }
  return false;
}

}  // namespace

std::string PodQosClass(const Pod& pod) {
  std::map<std::string, int64_t> requests, limits;
  bool guaranteed = true;
  auto visit = [&](const Container& c) {
    bool cpu_limit = false, memory_limit = false;
    for (const char* r : {"cpu", "memory"}) {
      const Quantity* q = Request(c, r);
      if (q && q->milli > 0) requests[r] += q->milli;
      const Quantity* l = Find(c.resources.limits, r);
      if (l && l->milli > 0) {
        limits[r] += l->milli;
        (std::string(r) == "cpu" ? cpu_limit : memory_limit) = true;
      }
    }
    if (!cpu_limit || !memory_limit) guaranteed = false;
  };
  for (const auto& c : pod.spec.containers) visit(c);
  for (const auto& c : pod.spec.init_containers) visit(c);
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto lim = limits.find(name);
      if (lim == limits.end() || lim->second != req) guaranteed = false;
    }
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

bool IsNodeCriticalPod(const Pod& pod) {
  // IsCriticalPod is true for every static pod (IsStaticPod), and every crilet pod is one.
  return pod.spec.priority_class_name == manifests::kSystemNodeCritical;
}

int64_t ContainerOomScoreAdjust(const Pod& pod, const Container& c, int64_t memory_capacity_bytes) {
  if (IsNodeCriticalPod(pod)) return kGuaranteedOomScoreAdj;  // only node-critical pods are killed last
  std::string qos = PodQosClass(pod);
  if (qos == "Guaranteed") return kGuaranteedOomScoreAdj;
  if (qos == "BestEffort") return kBestEffortOomScoreAdj;
  if (memory_capacity_bytes <= 0) return kBestEffortOomScoreAdj - 1;
  int64_t adjust = 1000 - (1000 * MemoryRequestBytes(c)) / memory_capacity_bytes;
  if (IsSidecarOf(pod, c)) {
    // A sidecar is killed no later than the smallest regular container, and first when it is no smaller.
    int64_t min = MinMemoryRequest(pod, c);
    adjust = 1000 - (1000 * min) / memory_capacity_bytes;
    if (min <= MemoryRequestBytes(c)) adjust += 1;
  }
  // Above any Guaranteed container (a Guaranteed pod using all memory scores about 3), below BestEffort.
  // (kubelet tests == 1000; a sidecar's +1 can reach 1001, which the kernel refuses, so >= here.)
  if (adjust < 1000 + kGuaranteedOomScoreAdj) return 1000 + kGuaranteedOomScoreAdj;
  if (adjust >= kBestEffortOomScoreAdj) return kBestEffortOomScoreAdj - 1;
  return adjust;
}

}  // namespace crilet::agent
