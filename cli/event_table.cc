// kubectl describe's event rows.
#include "cli/event_table.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "agent/events.h"
#include "cli/pod_table.h"
#include "common/duration.h"

namespace crilet::cli {

using nlohmann::json;

std::vector<EventRow> AggregateEvents(const json& events) {
  std::vector<EventRow> rows;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;  // type, reason, key message
  for (const auto& e : events) {
    std::string type = e.value("type", ""), reason = e.value("reason", ""), message = e.value("message", "");
    TimePoint first = ParseTime(e.value("firstTimestamp", "")).value_or(TimePoint{});
    TimePoint last = ParseTime(e.value("lastTimestamp", "")).value_or(first);
    int count = std::max(1, e.value("count", 1));
    auto key = std::make_tuple(type, reason, agent::EventKeyMessage(message));
    auto it = index.find(key);
    if (it == index.end()) {
      index.emplace(key, rows.size());
      rows.push_back(EventRow{type, reason, message, count, first, last});
      continue;
    }
    EventRow& r = rows[it->second];
    r.count += count;
    r.first = std::min(r.first, first);
    if (last >= r.last) {
      r.last = last;
      r.message = message;
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const EventRow& a, const EventRow& b) { return a.last < b.last; });
  return rows;
}

std::string FormatEventTable(const std::vector<EventRow>& rows, TimePoint now, const std::string& from) {
  if (rows.empty()) return "Events:  <none>\n";
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"  Type", "Reason", "Age", "From", "Message"});
  cells.push_back({"  ----", "------", "----", "----", "-------"});
  for (const auto& r : rows) {
    // One event: its age; a group: the newest one's age, the count and how long ago the first was.
    std::string age = r.count > 1 ? FormatAge(now - r.last) + " (x" + std::to_string(r.count) + " over " +
                                        FormatAge(now - r.first) + ")"
                                  : FormatAge(now - r.first);
    std::string message = r.message;
    // kubectl trims the message; a line break inside it would break the table.
    message.erase(0, message.find_first_not_of(" \t\r\n"));
    message.erase(message.find_last_not_of(" \t\r\n") + 1);
    std::replace(message.begin(), message.end(), '\n', ' ');
    cells.push_back({"  " + r.type, r.reason, age, from, message});
  }
  std::vector<size_t> width(5, 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i + 1 < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out = "Events:\n";
  for (const auto& line : cells) {
    for (size_t i = 0; i + 1 < line.size(); ++i) out += line[i] + std::string(width[i] - line[i].size() + 2, ' ');
    out += line.back() + "\n";
  }
  return out;
}

}  // namespace crilet::cli
