// Kubelet's pod admission (lifecycle/predicate.go generalFilter) for the checks a single node can make.
#include "agent/admission.h"

#include <algorithm>
#include <charconv>

namespace crilet::agent {
namespace {

using manifests::NodeSelectorRequirement;

bool ParseInt(const std::string& s, int64_t* out) {
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && begin != end;
}

bool Contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// labels.Requirement.Matches for one key of a label set (or of the node's fields).
bool Matches(const NodeSelectorRequirement& r, const std::map<std::string, std::string>& set) {
  auto it = set.find(r.key);
  bool has = it != set.end();
  if (r.operator_ == "In") return has && Contains(r.values, it->second);
  if (r.operator_ == "NotIn") return !has || !Contains(r.values, it->second);
  if (r.operator_ == "Exists") return has;
  if (r.operator_ == "DoesNotExist") return !has;
  if (r.operator_ == "Gt" || r.operator_ == "Lt") {
    int64_t have = 0, want = 0;
    if (!has || r.values.size() != 1 || !ParseInt(it->second, &have) || !ParseInt(r.values[0], &want)) return false;
    return r.operator_ == "Gt" ? have > want : have < want;
  }
  return false;  // validation refuses other operators
}

int64_t Request(const manifests::Container& c, const char* resource, bool milli) {
  auto it = c.resources.requests.find(resource);
  if (it == c.resources.requests.end()) return 0;
  return milli ? it->second.MilliValue() : it->second.Value();
}

}  // namespace

std::map<std::string, std::string> NodeLabels(const std::string& node_name, const std::string& go_arch,
                                              const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> labels = {
      {"kubernetes.io/hostname", node_name},  {"kubernetes.io/os", "linux"},
      {"kubernetes.io/arch", go_arch},        {"beta.kubernetes.io/os", "linux"},
      {"beta.kubernetes.io/arch", go_arch},
  };
  for (const auto& [k, v] : extra) labels[k] = v;
  return labels;
}

std::string GoArch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "ppc64le" || machine == "s390x" || machine == "riscv64") return machine;
  return machine;
}

PodRequests ComputePodRequests(const manifests::Pod& pod) {
  PodRequests sum;
  for (const auto& c : pod.spec.containers) {
    sum.cpu_milli += Request(c, "cpu", true);
    sum.memory_bytes += Request(c, "memory", false);
  }
  // Sidecars run beside everything after them: they add to the sum and to each later init container.
  PodRequests sidecars, init_max;
  for (const auto& c : pod.spec.init_containers) {
    PodRequests mine{Request(c, "cpu", true), Request(c, "memory", false)};
    PodRequests during;
    if (manifests::IsSidecar(c)) {
      sum.cpu_milli += mine.cpu_milli;
      sum.memory_bytes += mine.memory_bytes;
      sidecars.cpu_milli += mine.cpu_milli;
      sidecars.memory_bytes += mine.memory_bytes;
      during = sidecars;
    } else {
      during = PodRequests{mine.cpu_milli + sidecars.cpu_milli, mine.memory_bytes + sidecars.memory_bytes};
    }
    init_max.cpu_milli = std::max(init_max.cpu_milli, during.cpu_milli);
    init_max.memory_bytes = std::max(init_max.memory_bytes, during.memory_bytes);
  }
  return PodRequests{std::max(sum.cpu_milli, init_max.cpu_milli), std::max(sum.memory_bytes, init_max.memory_bytes)};
}

bool MatchesNodeSelectorAndAffinity(const manifests::Pod& pod, const NodeInfo& node) {
  for (const auto& [k, v] : pod.spec.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  const auto& affinity = pod.spec.affinity;
  if (!affinity || !affinity->node_affinity || !affinity->node_affinity->required_terms) return true;
  const std::map<std::string, std::string> fields = {{"metadata.name", node.name}};
  for (const auto& term : *affinity->node_affinity->required_terms) {
    if (term.match_expressions.empty() && term.match_fields.empty()) continue;  // an empty term selects nothing
    bool all = std::all_of(term.match_expressions.begin(), term.match_expressions.end(),
                           [&](const NodeSelectorRequirement& r) { return Matches(r, node.labels); }) &&
               std::all_of(term.match_fields.begin(), term.match_fields.end(),
                           [&](const NodeSelectorRequirement& r) { return Matches(r, fields); });
    if (all) return true;
  }
  return false;
}

Admission AdmitPod(const manifests::Pod& pod, const NodeInfo& node, const std::vector<const manifests::Pod*>& active) {
  PodRequests want = ComputePodRequests(pod);
  PodRequests used;
  for (const auto* p : active) {
    PodRequests r = ComputePodRequests(*p);
    used.cpu_milli += r.cpu_milli;
    used.memory_bytes += r.memory_bytes;
  }
  auto insufficient = [](const char* resource, int64_t requested, int64_t in_use, int64_t capacity) {
    return Admission{false, std::string("OutOf") + resource,
                     std::string("Node didn't have enough resource: ") + resource + ", requested: " +
                         std::to_string(requested) + ", used: " + std::to_string(in_use) +
                         ", capacity: " + std::to_string(capacity)};
  };
  // noderesources.Fits: only a resource the pod requests can be short.
  if (want.cpu_milli > 0 && want.cpu_milli > node.allocatable_cpu_milli - used.cpu_milli) {
    return insufficient("cpu", want.cpu_milli, used.cpu_milli, node.allocatable_cpu_milli);
  }
  if (want.memory_bytes > 0 && want.memory_bytes > node.allocatable_memory_bytes - used.memory_bytes) {
    return insufficient("memory", want.memory_bytes, used.memory_bytes, node.allocatable_memory_bytes);
  }
  if (!MatchesNodeSelectorAndAffinity(pod, node)) return Admission{false, "NodeAffinity", "Predicate NodeAffinity failed"};
  return Admission{};
}

}  // namespace crilet::agent
