// kubectl-style pod rows.
#include "cli/pod_table.h"

#include <ctime>
#include <vector>

#include "common/duration.h"

namespace crilet::cli {

using nlohmann::json;

std::optional<TimePoint> ParseTime(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

namespace {

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsSidecar(const json& pod, const std::string& name) {
  for (const auto& c : pod["spec"].value("initContainers", json::array())) {
    if (c.value("name", "") == name) return c.value("restartPolicy", "") == "Always";
  }
  return false;
}

}  // namespace

PodRow MakePodRow(const json& pod, TimePoint now) {
  PodRow row;
  const json& status = pod.value("status", json::object());
  row.name = pod["metadata"].value("name", "");
  row.node = pod["spec"].value("nodeName", "");
  row.ip = status.value("podIP", "");
  if (row.ip.empty()) row.ip = "<none>";
  std::string reason = status.value("phase", "");
  if (!Str(status, "reason").empty()) reason = Str(status, "reason");

  // kubectl's printPod (pkg/printers/internalversion): every sidecar counts in READY's total; RESTARTS counts
  // the init containers' restarts while the pod initializes, then only sidecars' and regular containers'.
  int restarts = 0, sidecar_restarts = 0, ready = 0;
  int total = static_cast<int>(pod["spec"].value("containers", json::array()).size());
  for (const auto& c : pod["spec"].value("initContainers", json::array())) total += c.value("restartPolicy", "") == "Always";
  std::optional<TimePoint> last_restart, last_sidecar_restart;
  auto note_restart = [&](const json& cs, int* count, std::optional<TimePoint>* latest) {
    *count += cs.value("restartCount", 0);
    const json& last = cs.value("lastState", json::object());
    if (last.contains("terminated")) {
      if (auto t = ParseTime(last["terminated"].value("finishedAt", ""))) {
        if (!*latest || *t > **latest) *latest = t;
      }
    }
  };
  auto exit_words = [](const json& t) {
    return t.value("signal", 0) ? "Signal:" + std::to_string(t.value("signal", 0)) : "ExitCode:" + std::to_string(t.value("exitCode", 0));
  };

  const json inits = status.value("initContainerStatuses", json::array());
  const int init_total = static_cast<int>(pod["spec"].value("initContainers", json::array()).size());
  bool initializing = false;
  for (size_t i = 0; i < inits.size(); ++i) {
    const json& cs = inits[i];
    const json& st = cs.value("state", json::object());
    const bool sidecar = IsSidecar(pod, cs.value("name", ""));
    note_restart(cs, &restarts, &last_restart);
    if (sidecar) note_restart(cs, &sidecar_restarts, &last_sidecar_restart);
    if (st.contains("terminated") && st["terminated"].value("exitCode", 1) == 0) continue;
    if (sidecar && cs.value("started", false)) {
      ready += cs.value("ready", false);
      continue;
    }
    if (st.contains("terminated")) {
      std::string r = Str(st["terminated"], "reason");
      reason = "Init:" + (r.empty() ? exit_words(st["terminated"]) : r);
    } else if (st.contains("waiting") && !Str(st["waiting"], "reason").empty() && Str(st["waiting"], "reason") != "PodInitializing") {
      reason = "Init:" + Str(st["waiting"], "reason");
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_total);
    }
    initializing = true;
    break;
  }
  bool initialized = false;
  for (const auto& c : status.value("conditions", json::array())) {
    if (c.value("type", "") == "Initialized" && c.value("status", "") == "True") initialized = true;
  }
  if (!initializing || initialized) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const json containers = status.value("containerStatuses", json::array());
    for (auto it = containers.rbegin(); it != containers.rend(); ++it) {
      const json& cs = *it;
      note_restart(cs, &restarts, &last_restart);
      const json& st = cs.value("state", json::object());
      if (st.contains("waiting") && !Str(st["waiting"], "reason").empty()) {
        reason = Str(st["waiting"], "reason");
      } else if (st.contains("terminated") && !Str(st["terminated"], "reason").empty()) {
        reason = Str(st["terminated"], "reason");
      } else if (st.contains("terminated")) {
        reason = exit_words(st["terminated"]);
      } else if (cs.value("ready", false) && st.contains("running")) {
        has_running = true;
        ready++;
      }
    }
    if (reason == "Completed" && has_running) {
      bool pod_ready = false;
      for (const auto& c : status.value("conditions", json::array())) {
        if (c.value("type", "") == "Ready" && c.value("status", "") == "True") pod_ready = true;
      }
      reason = pod_ready ? "Running" : "NotReady";
    }
  }
  // kubectl's printPod: a pod being deleted (and not yet finished) shows Terminating.
  std::string phase = status.value("phase", "");
  if (pod["metadata"].contains("deletionTimestamp") && phase != "Succeeded" && phase != "Failed") reason = "Terminating";
  row.status = reason;
  row.ready = std::to_string(ready) + "/" + std::to_string(total);
  row.restarts = std::to_string(restarts);
  if (restarts > 0 && last_restart) row.restarts += " (" + FormatAge(now - *last_restart) + " ago)";
  auto start = ParseTime(status.value("startTime", ""));
  row.age = start ? FormatAge(now - *start) : "<unknown>";
  return row;
}

std::vector<std::string> PodTableHeader(const TableOptions& options) {
  std::vector<std::string> header = {"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
  if (options.wide) header.insert(header.end(), {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"});
  if (options.all_namespaces) header.insert(header.begin(), "NAMESPACE");
  if (options.show_labels) header.push_back("LABELS");
  return header;
}

std::vector<std::string> PodTableCells(const json& pod, const TableOptions& options, TimePoint now) {
  const PodRow r = MakePodRow(pod, now);
  const json meta = pod.value("metadata", json::object());
  std::vector<std::string> line = {options.name_prefix + r.name, r.ready, r.status, r.restarts, r.age};
  if (options.wide) line.insert(line.end(), {r.ip, r.node, "<none>", "<none>"});
  if (options.all_namespaces) line.insert(line.begin(), meta.value("namespace", "default"));
  if (options.show_labels) line.push_back(LabelsCell(meta.value("labels", std::map<std::string, std::string>{})));
  return line;
}

std::string FormatPodTable(const json& pod_list, const TableOptions& options, TimePoint now) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(PodTableHeader(options));
  for (const auto& p : pod_list.value("items", json::array())) cells.push_back(PodTableCells(p, options, now));
  return FormatColumns(std::move(cells), options.headers);
}

}  // namespace crilet::cli
