/// kubectl top's tables from a /stats/summary document: pods (NAME CPU(cores) MEMORY(bytes), per container with
/// --containers) and the node (NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%); pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace crilet::cli {

struct TopOptions {
  std::string ns = "default";
  bool all_namespaces = false;  // -A: NAMESPACE first
  bool containers = false;      // --containers: POD NAME CPU MEMORY, a row per container
  std::string sort_by;          // "", "cpu" or "memory": largest first (kubectl's order), else by name
  std::string name;             // one pod only
  // -l: only these pods (namespace, name), the ones whose labels match; unset = all.
  std::optional<std::set<std::pair<std::string, std::string>>> only;
  bool headers = true;
};

// kubectl's cells: CPU as whole millicores rounded up (Quantity.MilliValue), "200m"; memory in whole MiB
// rounded down, "12Mi".
std::string CpuCell(uint64_t nano_cores);
std::string MemoryCell(uint64_t bytes);

// The pods' table as metrics-server and kubectl top compute it: a pod's CPU and memory are its containers' sums
// (usageNanoCores, workingSetBytes). Pods without container figures yet are left out (metrics-server has no
// metrics for them either); "" when nothing is left.
std::string FormatTopPods(const nlohmann::json& summary, const TopOptions& options);

// The node's row: usageNanoCores and workingSetBytes of the node, in per cent of its capacity (`num_cores` and
// `memory_capacity` of /spec; crilet's allocatable is its capacity). A missing figure shows <unknown>.
std::string FormatTopNode(const nlohmann::json& summary, const nlohmann::json& spec, bool headers = true);

}  // namespace crilet::cli
