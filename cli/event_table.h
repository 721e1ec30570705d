/// The Events table of `crilet describe`, as kubectl describe prints it: aggregated, by time, aligned; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"

namespace crilet::cli {

struct EventRow {
  std::string type;
  std::string reason;
  std::string message;  // the newest message of the group
  int count = 0;
  TimePoint first{};
  TimePoint last{};
};

// Groups v1 Events that differ only in container IDs (agent::EventKeyMessage) or timestamps into one row
// with their summed count, first and last times, and sorts the rows by last time (kubectl's SortableEvents),
// keeping the order given for equal times.
std::vector<EventRow> AggregateEvents(const nlohmann::json& events);

// "Events:" and the table below it: Type, Reason, Age, From, Message in columns two spaces apart (kubectl's
// tabwriter), Age "5s" or "5s (x3 over 2m)"; "Events:  <none>" without events.
std::string FormatEventTable(const std::vector<EventRow>& rows, TimePoint now, const std::string& from = "crilet");

}  // namespace crilet::cli
