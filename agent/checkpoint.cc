// Reading and atomically writing the per-pod checkpoint file.
#include "agent/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace crilet::agent {

Status SaveCheckpoint(const std::string& path, const PodCheckpoint& c) {
  nlohmann::json j;
  if (c.start_time) j["startTime"] = ToUnixNanos(*c.start_time);
  nlohmann::json b = nlohmann::json::object();
  for (const auto& [key, e] : c.crash_backoff) {
    b[key] = {{"backoffNanos", e.backoff.count()}, {"lastUpdate", ToUnixNanos(e.last_update)}};
  }
  j["crashBackoff"] = b;
  nlohmann::json conds = nlohmann::json::object();
  for (const auto& [type, cond] : c.conditions) {
    conds[type] = {{"status", cond.status}, {"lastTransitionTime", ToUnixNanos(cond.last_transition_time)}};
  }
  j["conditions"] = conds;
  if (c.start_observed) j["startObserved"] = true;
  nlohmann::json probes = nlohmann::json::object();
  for (const auto& [id, r] : c.probe_results) {
    nlohmann::json e = nlohmann::json::object();
    if (r.readiness) e["readiness"] = probes::ResultName(*r.readiness);
    if (r.startup) e["startup"] = probes::ResultName(*r.startup);
    if (!e.empty()) probes[id] = e;
  }
  if (!probes.empty()) j["probeResults"] = probes;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump();
    if (!out) return Status::Internal("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::Internal("cannot rename " + tmp + " to " + path);
  return Status::Ok();
}

Status LoadCheckpoint(const std::string& path, PodCheckpoint* c) {
  std::ifstream in(path);
  if (!in) return Status::Ok();
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(path + ": not a valid checkpoint");
  if (j.contains("startTime") && j["startTime"].is_number_integer()) {
    c->start_time = FromUnixNanos(j["startTime"].get<int64_t>());
  }
  if (j.contains("crashBackoff") && j["crashBackoff"].is_object()) {
    for (const auto& [key, v] : j["crashBackoff"].items()) {
      if (!v.is_object() || !v.contains("backoffNanos") || !v.contains("lastUpdate")) continue;
      if (!v["backoffNanos"].is_number_integer() || !v["lastUpdate"].is_number_integer()) continue;
      c->crash_backoff[key] = Backoff::Entry{Duration(v["backoffNanos"].get<int64_t>()),
                                             FromUnixNanos(v["lastUpdate"].get<int64_t>())};
    }
  }
  if (j.contains("conditions") && j["conditions"].is_object()) {
    for (const auto& [type, v] : j["conditions"].items()) {
      if (!v.is_object() || !v.contains("status") || !v["status"].is_string()) continue;
      if (!v.contains("lastTransitionTime") || !v["lastTransitionTime"].is_number_integer()) continue;
      c->conditions[type] = ConditionTime{v["status"].get<std::string>(),
                                          FromUnixNanos(v["lastTransitionTime"].get<int64_t>())};
    }
  }
  if (j.contains("startObserved") && j["startObserved"].is_boolean()) c->start_observed = j["startObserved"].get<bool>();
  if (j.contains("probeResults") && j["probeResults"].is_object()) {
    auto result = [](const nlohmann::json& v, const char* key) -> std::optional<probes::Result> {
      if (!v.contains(key) || !v[key].is_string()) return std::nullopt;
      return probes::ParseResultName(v[key].get<std::string>());
    };
    for (const auto& [id, v] : j["probeResults"].items()) {
      if (!v.is_object()) continue;
      probes::ContainerResults r;
      r.readiness = result(v, "readiness");
      r.startup = result(v, "startup");
      if (r.readiness || r.startup) c->probe_results[id] = r;
    }
  }
  return Status::Ok();
}

}  // namespace crilet::agent
