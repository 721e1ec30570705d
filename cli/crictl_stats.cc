// crictl stats' table and JSON, crictl info's JSON.
#include "cli/crictl_stats.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "cli/crictl_format.h"

namespace crilet::cli {

namespace {

std::vector<cri::ContainerStats> ById(std::vector<cri::ContainerStats> v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return v;
}

nlohmann::ordered_json Value(const std::optional<uint64_t>& v) { return {{"value", std::to_string(*v)}}; }

}  // namespace

Status CrictlStatsTable(const std::vector<cri::ContainerStats>& before, const std::vector<cri::ContainerStats>& after,
                        bool all, std::string* out) {
  std::map<std::string, const cri::ContainerStats*> old;
  for (const auto& s : before) old[s.id] = &s;
  std::vector<std::vector<std::string>> table = {{"CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES"}};
  for (const auto& s : ById(after)) {
    const uint64_t cpu = s.cpu_usage_core_nano_seconds.value_or(0);
    const uint64_t mem = s.memory_working_set_bytes.value_or(0);
    if (!all && cpu == 0 && mem == 0) continue;
    auto it = old.find(s.id);
    if (it == old.end()) continue;  // not in the first sample: crictl skips it too
    double percent = 0;
    if (cpu != 0) {
      const int64_t duration = s.cpu_timestamp - it->second->cpu_timestamp;
      if (duration == 0) return Status::InvalidArgument("cpu stat is not updated during sample");
      percent = static_cast<double>(cpu - it->second->cpu_usage_core_nano_seconds.value_or(0)) / static_cast<double>(duration) * 100;
    }
    char cpu_text[32];
    std::snprintf(cpu_text, sizeof cpu_text, "%.2f", percent);
    table.push_back({s.id.substr(0, 13), s.name, cpu_text, HumanSize(mem), HumanSize(s.writable_layer_used_bytes.value_or(0)),
                     std::to_string(s.writable_layer_inodes_used.value_or(0))});
  }
  *out = CrictlColumns(table);
  return Status::Ok();
}

nlohmann::ordered_json CrictlStatsJson(const std::vector<cri::ContainerStats>& stats) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& s : ById(stats)) {
    nlohmann::ordered_json j;
    j["attributes"] = {{"id", s.id},
                       {"metadata", {{"name", s.name}, {"attempt", s.attempt}}},
                       {"labels", nlohmann::ordered_json(s.labels)},
                       {"annotations", nlohmann::ordered_json(s.annotations)}};
    nlohmann::ordered_json cpu = {{"timestamp", std::to_string(s.cpu_timestamp)}};
    if (s.cpu_usage_core_nano_seconds) cpu["usageCoreNanoSeconds"] = Value(s.cpu_usage_core_nano_seconds);
    if (s.cpu_usage_nano_cores) cpu["usageNanoCores"] = Value(s.cpu_usage_nano_cores);
    j["cpu"] = cpu;
    nlohmann::ordered_json mem = {{"timestamp", std::to_string(s.memory_timestamp)}};
    const std::pair<const char*, const std::optional<uint64_t>*> counters[] = {
        {"workingSetBytes", &s.memory_working_set_bytes}, {"availableBytes", &s.memory_available_bytes},
        {"usageBytes", &s.memory_usage_bytes},            {"rssBytes", &s.memory_rss_bytes},
        {"pageFaults", &s.memory_page_faults},            {"majorPageFaults", &s.memory_major_page_faults}};
    for (const auto& [name, v] : counters) {
      if (*v) mem[name] = Value(*v);
    }
    j["memory"] = mem;
    nlohmann::ordered_json fs = {{"timestamp", std::to_string(s.writable_layer_timestamp)},
                                 {"fsId", {{"mountpoint", s.writable_layer_mountpoint}}}};
    if (s.writable_layer_used_bytes) fs["usedBytes"] = Value(s.writable_layer_used_bytes);
    if (s.writable_layer_inodes_used) fs["inodesUsed"] = Value(s.writable_layer_inodes_used);
    j["writableLayer"] = fs;
    list.push_back(std::move(j));
  }
  return {{"stats", list}};
}

nlohmann::json CrictlInfoJson(const cri::RuntimeStatusInfo& status) {
  nlohmann::json conditions = nlohmann::json::array();
  for (const auto& c : status.conditions) {
    conditions.push_back({{"type", c.type}, {"status", c.status}, {"reason", c.reason}, {"message", c.message}});
  }
  nlohmann::json out = {{"status", {{"conditions", conditions}}}};
  for (const auto& [key, value] : status.info) {
    // crictl: a value that starts with '{' is a JSON object; anything else is a string, quotes trimmed.
    if (!value.empty() && value[0] == '{') {
      nlohmann::json object = nlohmann::json::parse(value, nullptr, false);
      out[key] = object.is_discarded() ? nlohmann::json(value) : object;
      continue;
    }
    size_t from = value.find_first_not_of('"'), to = value.find_last_not_of('"');
    out[key] = from == std::string::npos ? "" : value.substr(from, to - from + 1);
  }
  return out;
}

}  // namespace crilet::cli
