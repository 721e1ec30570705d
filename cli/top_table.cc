// kubectl top's pod and node tables.
#include "cli/top_table.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

#include "cli/columns.h"

namespace crilet::cli {
namespace {

using nlohmann::json;

// A whole, non-negative number, else nullopt.
std::optional<uint64_t> Count(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto v = j.find(key);
  if (v == j.end() || !v->is_number_integer() || (!v->is_number_unsigned() && v->get<int64_t>() < 0)) return std::nullopt;
  return v->get<uint64_t>();
}

std::optional<uint64_t> Figure(const json& parent, const char* section, const char* key) {
  auto s = parent.find(section);
  return s == parent.end() ? std::nullopt : Count(*s, key);
}

struct Row {
  std::string ns, pod, container;
  uint64_t cpu = 0, memory = 0;
};

}  // namespace

std::string CpuCell(uint64_t nano_cores) { return std::to_string((nano_cores + 999999) / 1000000) + "m"; }

std::string MemoryCell(uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + "Mi"; }

std::string FormatTopPods(const json& summary, const TopOptions& o) {
  std::vector<Row> pods, containers;
  for (const auto& p : summary.value("pods", json::array())) {
    const json ref = p.value("podRef", json::object());
    Row pod{ref.value("namespace", "default"), ref.value("name", ""), "", 0, 0};
    if (!o.all_namespaces && pod.ns != o.ns) continue;
    if (!o.name.empty() && pod.pod != o.name) continue;
    if (o.only && !o.only->count({pod.ns, pod.pod})) continue;
    bool measured = false;
    for (const auto& c : p.value("containers", json::array())) {
      auto cpu = Figure(c, "cpu", "usageNanoCores");
      auto mem = Figure(c, "memory", "workingSetBytes");
      if (!cpu && !mem) continue;
      measured = true;
      Row r{pod.ns, pod.pod, c.value("name", ""), cpu.value_or(0), mem.value_or(0)};
      pod.cpu += r.cpu;
      pod.memory += r.memory;
      containers.push_back(r);
    }
    if (measured) pods.push_back(pod);
  }
  std::vector<Row>& rows = o.containers ? containers : pods;
  if (rows.empty()) return "";
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (o.sort_by == "cpu" && a.cpu != b.cpu) return a.cpu > b.cpu;
    if (o.sort_by == "memory" && a.memory != b.memory) return a.memory > b.memory;
    return std::tie(a.ns, a.pod, a.container) < std::tie(b.ns, b.pod, b.container);
  });
  std::vector<std::vector<std::string>> cells(1);
  if (o.all_namespaces) cells[0].push_back("NAMESPACE");
  if (o.containers) cells[0].push_back("POD");
  for (const char* h : {"NAME", "CPU(cores)", "MEMORY(bytes)"}) cells[0].push_back(h);
  for (const auto& r : rows) {
    std::vector<std::string> line;
    if (o.all_namespaces) line.push_back(r.ns);
    line.push_back(r.pod);
    if (o.containers) line.push_back(r.container);
    line.push_back(CpuCell(r.cpu));
    line.push_back(MemoryCell(r.memory));
    cells.push_back(std::move(line));
  }
  return FormatColumns(std::move(cells), o.headers);
}

std::string FormatTopNode(const json& summary, const json& spec, bool headers) {
  const json node = summary.value("node", json::object());
  auto cpu = Figure(node, "cpu", "usageNanoCores");
  auto mem = Figure(node, "memory", "workingSetBytes");
  const uint64_t cores = Count(spec, "num_cores").value_or(0);
  const uint64_t capacity = Count(spec, "memory_capacity").value_or(0);
  const std::string unknown = "<unknown>";
  std::vector<std::vector<std::string>> cells = {{"NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"}};
  uint64_t milli = cpu ? (*cpu + 999999) / 1000000 : 0;
  cells.push_back({node.value("nodeName", ""), cpu ? CpuCell(*cpu) : unknown,
                   cpu && cores ? std::to_string(milli * 100 / (cores * 1000)) + "%" : unknown,
                   mem ? MemoryCell(*mem) : unknown,
                   mem && capacity ? std::to_string(*mem * 100 / capacity) + "%" : unknown});
  return FormatColumns(std::move(cells), headers);
}

}  // namespace crilet::cli
