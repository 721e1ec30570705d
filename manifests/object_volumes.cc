/// Validation of configMap, secret, downwardAPI and projected volume sources, as the API server makes it.
#include "manifests/object_volumes.h"

#include <set>

namespace crilet::manifests {

const char* ObjectVolumeKindName(ObjectVolumeSource::Kind kind) {
  switch (kind) {
    case ObjectVolumeSource::Kind::kConfigMap: return "configMap";
    case ObjectVolumeSource::Kind::kSecret: return "secret";
    case ObjectVolumeSource::Kind::kDownwardApi: return "downwardAPI";
    case ObjectVolumeSource::Kind::kProjected: return "projected";
  }
  return "";
}

bool NeedsTmpfs(const ObjectVolumeSource& v) {
  for (const auto& s : v.sources) {
    if (s.secret) return true;
  }
  return false;
}

std::string CheckProjectedPath(const std::string& p) {
  if (p.empty()) return "must not be empty";
  if (p[0] == '/') return "must be a relative path";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0) return "must not contain '..'";
    start = end + 1;
  }
  return "";
}

namespace {

void Add(std::vector<FieldError>* out, const std::string& path, const std::string& msg) {
  out->push_back(FieldError{"", 0, path, msg});
}

void CheckMode(std::vector<FieldError>* out, const std::optional<int32_t>& mode, const std::string& path) {
  if (mode && (*mode < 0 || *mode > 0777)) {
    Add(out, path, "Invalid value: " + std::to_string(*mode) +
                       ": must be a number between 0 and 0777 (octal), both inclusive");
  }
}

// items[] of a configMap or secret source; `seen` collects paths across a projected volume's sources.
void CheckItems(std::vector<FieldError>* out, const std::vector<KeyToPath>& items, const std::string& path,
                std::set<std::string>* seen, const std::string& sources_path) {
  for (size_t i = 0; i < items.size(); ++i) {
    std::string ip = path + ".items[" + std::to_string(i) + "]";
    if (items[i].key.empty()) Add(out, ip + ".key", "Required value");
    if (std::string m = CheckProjectedPath(items[i].path); !m.empty()) Add(out, ip + ".path", m);
    CheckMode(out, items[i].mode, ip + ".mode");
    if (seen && !items[i].path.empty() && !seen->insert(items[i].path).second) {
      Add(out, sources_path, "Invalid value: \"" + items[i].path + "\": conflicting duplicate paths");
    }
  }
}

bool ValidFieldPath(const std::string& f) {
  static const std::set<std::string> kPaths = {"metadata.name", "metadata.namespace", "metadata.uid",
                                               "metadata.labels", "metadata.annotations"};
  if (kPaths.count(f)) return true;
  for (const char* prefix : {"metadata.labels['", "metadata.annotations['"}) {
    std::string pre = prefix;
    if (f.size() > pre.size() + 2 && f.compare(0, pre.size(), pre) == 0 && f.compare(f.size() - 2, 2, "']") == 0) {
      return true;
    }
  }
  return false;
}

void CheckDownward(std::vector<FieldError>* out, const DownwardApiProjection& d, const std::string& path,
                   std::set<std::string>* seen, const std::string& sources_path) {
  for (size_t i = 0; i < d.items.size(); ++i) {
    const auto& f = d.items[i];
    std::string ip = path + ".items[" + std::to_string(i) + "]";
    if (std::string m = CheckProjectedPath(f.path); !m.empty()) Add(out, ip + ".path", m);
    CheckMode(out, f.mode, ip + ".mode");
    bool has_field = !f.field_path.empty();
    bool has_res = !f.resource.empty();
    if (has_field == has_res) {
      Add(out, ip, "Invalid value: must specify exactly one of fieldRef and resourceFieldRef");
    } else if (has_field && !ValidFieldPath(f.field_path)) {
      // A volume may not expose spec.nodeName or status.* (validDownwardAPIFieldPathExpressions).
      Add(out, ip + ".fieldRef.fieldPath",
          "Unsupported value: \"" + f.field_path +
              "\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", "
              "\"metadata.namespace\", \"metadata.uid\"");
    } else if (has_res && f.container_name.empty()) {
      Add(out, ip + ".resourceFieldRef.containerName", "Required value");
    }
    if (seen && !f.path.empty() && !seen->insert(f.path).second) {
      Add(out, sources_path, "Invalid value: \"" + f.path + "\": conflicting duplicate paths");
    }
  }
}

}  // namespace

std::vector<FieldError> ValidateObjectVolume(const ObjectVolumeSource& v, const std::string& path) {
  std::vector<FieldError> out;
  CheckMode(&out, v.default_mode, path + ".defaultMode");
  bool projected = v.kind == ObjectVolumeSource::Kind::kProjected;
  std::set<std::string> seen;
  for (size_t i = 0; i < v.sources.size(); ++i) {
    const auto& s = v.sources[i];
    std::string sp = projected ? path + ".sources[" + std::to_string(i) + "]" : path;
    int set = (s.config_map ? 1 : 0) + (s.secret ? 1 : 0) + (s.downward_api ? 1 : 0);
    if (projected && set != 1) {
      Add(&out, sp, "may not specify more than 1 volume type per source");
      continue;
    }
    std::string sources_path = projected ? path + ".sources" : path + ".items";
    std::set<std::string>* dup = projected ? &seen : nullptr;
    if (s.config_map) {
      std::string cp = projected ? sp + ".configMap" : sp;
      if (s.config_map->name.empty()) Add(&out, cp + ".name", "Required value");
      CheckItems(&out, s.config_map->items, cp, dup, sources_path);
    } else if (s.secret) {
      std::string cp = projected ? sp + ".secret" : sp;
      if (s.secret->name.empty()) Add(&out, cp + (projected ? ".name" : ".secretName"), "Required value");
      CheckItems(&out, s.secret->items, cp, dup, sources_path);
    } else if (s.downward_api) {
      CheckDownward(&out, *s.downward_api, projected ? sp + ".downwardAPI" : sp, dup, sources_path);
    }
  }
  return out;
}

}  // namespace crilet::manifests
