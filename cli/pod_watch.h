/// get -w: the watch events between two /pods answers, and what kubectl's watch prints for each; pure.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/columns.h"
#include "cli/jsonpath.h"
#include "common/clock.h"

namespace crilet::cli {

// One change, in kubectl's --output-watch-events words.
struct WatchEvent {
  std::string type;       // ADDED, MODIFIED or DELETED
  nlohmann::json object;  // the pod; for DELETED, as it was last seen
};

// The pods seen so far, each with the fingerprint of what was printed for it. crilet's status server has no
// change feed, so get -w compares successive lists: a pod whose fingerprint changed is an event.
class PodWatch {
 public:
  using Fingerprint = std::function<std::string(const nlohmann::json& pod)>;
  explicit PodWatch(Fingerprint fingerprint) : fingerprint_(std::move(fingerprint)) {}

  // The events from the previous list to `items` (the first call: every pod ADDED): DELETED first, then
  // ADDED and MODIFIED in the list's order. Pods are told apart by namespace, name and UID, so a pod
  // recreated under its name (an edited manifest gets a new UID) is DELETED and ADDED, as kubectl shows it.
  std::vector<WatchEvent> Update(const nlohmann::json& items);

 private:
  struct Seen {
    std::string fingerprint;
    nlohmann::json pod;
  };
  Fingerprint fingerprint_;
  std::map<std::string, Seen> seen_;
};

// What a table row shows of a pod, without the clock: the row rendered at a fixed time, so that AGE and
// RESTARTS' "(2m ago)" growing is no change (kubectl prints a row per change of the pod, not per second).
std::string TableFingerprint(const nlohmann::json& pod, const TableOptions& options);
// The whole object (-o json, yaml, name, jsonpath: kubectl prints each change of it).
std::string ObjectFingerprint(const nlohmann::json& pod);

// kubectl's table writer for watches (liggitt/tabwriter with RememberWidths, as printers.GetNewTabWriter):
// each column is as wide as its widest cell so far plus three spaces, so rows printed later line up with the
// header until a longer cell widens the column; the last column is not padded.
class WatchTable {
 public:
  std::string Format(const std::vector<std::vector<std::string>>& rows);

 private:
  std::vector<size_t> widths_;
};

// What get -w prints, event by event, in the -o format given.
struct WatchFormat {
  std::string output;  // "", wide, json, yaml, name, jsonpath, custom-columns
  TableOptions table;
  const JsonPath* jsonpath = nullptr;                                    // -o jsonpath
  const std::vector<std::pair<std::string, JsonPath>>* columns = nullptr;  // -o custom-columns
  bool watch_events = false;  // --output-watch-events: an EVENT column, or {"type", "object"} documents
};

// Prints events one at a time, remembering what it has printed (the header, the widths, YAML's separators).
class WatchPrinter {
 public:
  explicit WatchPrinter(WatchFormat format) : format_(std::move(format)) {}
  // The text for one event; `now` is the AGE column's clock.
  std::string Print(const WatchEvent& event, TimePoint now);
  // The fingerprint that decides whether a pod's change is printed in this format.
  PodWatch::Fingerprint Fingerprint() const;

 private:
  WatchFormat format_;
  WatchTable table_;
  bool header_done_ = false;
  int documents_ = 0;
};

}  // namespace crilet::cli
