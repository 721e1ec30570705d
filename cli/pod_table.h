/// Pod tables as kubectl prints them: NAME READY STATUS RESTARTS AGE (and IP NODE with -o wide); pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/columns.h"
#include "common/clock.h"

namespace crilet::cli {

struct PodRow {
  std::string name;
  std::string ready;     // "1/2"
  std::string status;    // kubectl's STATUS: Running, Init:0/2, CrashLoopBackOff, Completed...
  std::string restarts;  // "3 (12s ago)"
  std::string age;
  std::string ip;
  std::string node;
};

// One row from a v1 Pod JSON object, following kubectl's printPod.
PodRow MakePodRow(const nlohmann::json& pod, TimePoint now);
// The table for a PodList as kubectl get pods prints it: NAME READY STATUS RESTARTS AGE; -o wide adds IP NODE
// NOMINATED NODE READINESS GATES, -A puts NAMESPACE first, --show-labels adds LABELS.
std::string FormatPodTable(const nlohmann::json& pod_list, const TableOptions& options, TimePoint now);
// The table's header row and one pod's row, as FormatPodTable lays them out (for get -w, which prints rows one
// by one).
std::vector<std::string> PodTableHeader(const TableOptions& options);
std::vector<std::string> PodTableCells(const nlohmann::json& pod, const TableOptions& options, TimePoint now);
// v1 "2006-01-02T15:04:05Z" -> time point; nullopt if malformed.
std::optional<TimePoint> ParseTime(const std::string& s);

}  // namespace crilet::cli
