// kubectl get events' table of the status server's /events.
#include "cli/event_list.h"

#include <algorithm>
#include <vector>

#include "cli/pod_table.h"
#include "common/duration.h"

namespace crilet::cli {

std::string FormatEventList(const nlohmann::json& events, const std::string& ns, const std::string& for_pod,
                            const TableOptions& options, TimePoint now) {
  struct Row {
    TimePoint last;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  for (const auto& e : events.value("items", nlohmann::json::array())) {
    const auto obj = e.value("involvedObject", nlohmann::json::object());
    const std::string obj_ns = obj.value("namespace", "default");
    if (!options.all_namespaces && obj_ns != ns) continue;
    if (!for_pod.empty() && obj.value("name", "") != for_pod) continue;
    auto last = ParseTime(e.value("lastTimestamp", ""));
    Row r{last.value_or(TimePoint{}), {}};
    if (options.all_namespaces) r.cells.push_back(obj_ns);
    r.cells.push_back(last ? FormatAge(now - *last) : "<unknown>");
    r.cells.push_back(e.value("type", ""));
    r.cells.push_back(e.value("reason", ""));
    std::string kind = obj.value("kind", "Pod");
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
    r.cells.push_back(kind + "/" + obj.value("name", ""));
    r.cells.push_back(e.value("message", ""));
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return "";
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.last < b.last; });
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"});
  if (options.all_namespaces) cells[0].insert(cells[0].begin(), "NAMESPACE");
  for (auto& r : rows) cells.push_back(std::move(r.cells));
  return FormatColumns(std::move(cells), options.headers);
}

}  // namespace crilet::cli
