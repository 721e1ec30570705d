// get -w's events and their printing.
#include "cli/pod_watch.h"

#include <algorithm>
#include <set>

#include "cli/pod_table.h"
#include "common/json_yaml.h"

namespace crilet::cli {

using nlohmann::json;

namespace {

std::string Key(const json& pod) {
  const json meta = pod.value("metadata", json::object());
  return meta.value("namespace", "default") + "/" + meta.value("name", "") + "/" + meta.value("uid", "");
}

// custom-columns' cells of one object: each path's values joined by ",", <none> for none (as get prints them).
std::vector<std::string> CustomCells(const json& object, const std::vector<std::pair<std::string, JsonPath>>& columns) {
  std::vector<std::string> line;
  for (const auto& [header, path] : columns) {
    std::string cell;
    for (const auto& v : path.Values(object)) cell += (cell.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
    line.push_back(cell.empty() ? "<none>" : cell);
  }
  return line;
}

}  // namespace

std::vector<WatchEvent> PodWatch::Update(const json& items) {
  std::vector<WatchEvent> events;
  std::set<std::string> present;
  for (const auto& pod : items) present.insert(Key(pod));
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    WatchEvent e;
    e.type = "DELETED";
    e.object = std::move(it->second.pod);
    events.push_back(std::move(e));
    it = seen_.erase(it);
  }
  for (const auto& pod : items) {
    std::string fingerprint = fingerprint_(pod);
    auto [it, added] = seen_.try_emplace(Key(pod));
    if (!added && it->second.fingerprint == fingerprint) continue;
    it->second.fingerprint = std::move(fingerprint);
    it->second.pod = pod;
    WatchEvent e;
    e.type = added ? "ADDED" : "MODIFIED";
    e.object = pod;
    events.push_back(std::move(e));
  }
  return events;
}

std::string TableFingerprint(const json& pod, const TableOptions& options) {
  // At the epoch every age reads "<invalid>": what is left is what the pod itself says.
  std::string out;
  for (const auto& cell : PodTableCells(pod, options, TimePoint{})) out += cell + '\t';
  return out;
}

std::string ObjectFingerprint(const json& pod) { return pod.dump(); }

std::string WatchTable::Format(const std::vector<std::vector<std::string>>& rows) {
  for (const auto& row : rows) {
    if (row.size() > widths_.size()) widths_.resize(row.size(), 0);
    for (size_t i = 0; i + 1 < row.size(); ++i) widths_[i] = std::max(widths_[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths_[i] - row[i].size() + 3, ' ');
    }
    out += "\n";
  }
  return out;
}

PodWatch::Fingerprint WatchPrinter::Fingerprint() const {
  if (format_.output.empty() || format_.output == "wide") {
    TableOptions options = format_.table;
    return [options](const json& pod) { return TableFingerprint(pod, options); };
  }
  return ObjectFingerprint;
}

std::string WatchPrinter::Print(const WatchEvent& event, TimePoint now) {
  const std::string& o = format_.output;
  const json document = format_.watch_events ? json{{"type", event.type}, {"object", event.object}} : event.object;
  if (o == "json") return document.dump(4) + "\n";
  if (o == "yaml") return (documents_++ > 0 ? "---\n" : "") + JsonToYaml(document);
  if (o == "jsonpath") return format_.jsonpath->Execute(document);
  if (o == "name") {
    return "pod/" + event.object.value("metadata", json::object()).value("name", "") + "\n";
  }
  std::vector<std::vector<std::string>> rows;
  if (!header_done_ && format_.table.headers) {
    std::vector<std::string> header;
    if (o == "custom-columns") {
      for (const auto& [name, path] : *format_.columns) header.push_back(name);
    } else {
      header = PodTableHeader(format_.table);
    }
    if (format_.watch_events) header.insert(header.begin(), "EVENT");
    rows.push_back(std::move(header));
  }
  header_done_ = true;
  std::vector<std::string> line =
      o == "custom-columns" ? CustomCells(document, *format_.columns) : PodTableCells(event.object, format_.table, now);
  if (format_.watch_events && o != "custom-columns") line.insert(line.begin(), event.type);
  rows.push_back(std::move(line));
  return table_.Format(rows);
}

}  // namespace crilet::cli
