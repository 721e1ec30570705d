// kubectl's printers for ConfigMap, Secret and PersistentVolumeClaim lists (pkg/printers/internalversion).
#include "cli/object_tables.h"

#include <vector>

#include "cli/pod_table.h"
#include "common/duration.h"

namespace crilet::cli {
namespace {
using nlohmann::json;

std::string Age(const json& item, TimePoint now) {
  std::string stamp = item.value("metadata", json::object()).value("creationTimestamp", "");
  auto t = stamp.empty() ? std::nullopt : ParseTime(stamp);
  return t ? FormatAge(now - *t) : "<unknown>";
}

size_t Count(const json& item, const char* field) {
  auto it = item.find(field);
  return it != item.end() && it->is_object() ? it->size() : 0;
}

}  // namespace

std::string ObjectResource(const std::string& name) {
  if (name == "configmaps" || name == "configmap" || name == "cm") return "configmaps";
  if (name == "secrets" || name == "secret") return "secrets";
  if (name == "pvc" || name == "persistentvolumeclaims" || name == "persistentvolumeclaim") return "pvc";
  return "";
}

std::string ShortAccessModes(const json& modes) {
  std::string out;
  if (!modes.is_array()) return out;
  for (const auto& m : modes) {
    std::string s = m.is_string() ? m.get<std::string>() : "";
    std::string shortname = s == "ReadWriteOnce"      ? "RWO"
                            : s == "ReadOnlyMany"     ? "ROX"
                            : s == "ReadWriteMany"    ? "RWX"
                            : s == "ReadWriteOncePod" ? "RWOP"
                                                      : s;
    out += (out.empty() ? "" : ",") + shortname;
  }
  return out;
}

std::string FormatObjectTable(const std::string& resource, const json& list, const std::string& ns,
                              const TableOptions& options, TimePoint now) {
  const bool all_namespaces = options.all_namespaces;
  std::vector<std::vector<std::string>> cells;
  if (resource == "configmaps") cells.push_back({"NAME", "DATA", "AGE"});
  else if (resource == "secrets") cells.push_back({"NAME", "TYPE", "DATA", "AGE"});
  else cells.push_back({"NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"});
  if (all_namespaces) cells[0].insert(cells[0].begin(), "NAMESPACE");
  if (options.show_labels) cells[0].push_back("LABELS");
  for (const auto& item : list.value("items", json::array())) {
    json meta = item.value("metadata", json::object());
    std::string item_ns = meta.value("namespace", "default");
    if (!all_namespaces && item_ns != ns) continue;
    std::vector<std::string> line = {meta.value("name", "")};
    if (resource == "configmaps") {
      line.push_back(std::to_string(Count(item, "data") + Count(item, "binaryData")));
    } else if (resource == "secrets") {
      line.push_back(item.value("type", "Opaque"));
      line.push_back(std::to_string(Count(item, "data")));
    } else {
      json spec = item.value("spec", json::object()), status = item.value("status", json::object());
      bool bound = status.value("phase", "") == "Bound";
      line.push_back(status.value("phase", "Pending"));
      line.push_back(spec.value("volumeName", ""));
      line.push_back(bound ? status.value("capacity", json::object()).value("storage", "") : "");
      line.push_back(bound ? ShortAccessModes(status.value("accessModes", json::array())) : "");
      line.push_back(spec.value("storageClassName", ""));
    }
    line.push_back(Age(item, now));
    if (all_namespaces) line.insert(line.begin(), item_ns);
    if (options.show_labels) line.push_back(LabelsCell(meta.value("labels", std::map<std::string, std::string>{})));
    cells.push_back(std::move(line));
  }
  if (cells.size() == 1) return "";
  return FormatColumns(cells, options.headers);
}

}  // namespace crilet::cli
