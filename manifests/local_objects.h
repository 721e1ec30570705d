/// ConfigMap and Secret documents read beside static pods: what a pod on this node may consume locally.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/persistent_volumes.h"
#include "manifests/pod.h"

namespace crilet::manifests {

// A v1 ConfigMap. `data` holds UTF-8 text, `binary_data` raw bytes (base64-decoded); a key is in at most one.
struct ConfigMap {
  std::string name;
  std::string namespace_ = "default";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> binary_data;
  bool immutable = false;
  PodSource source;  // the file (or URL) and document it came from
  bool operator==(const ConfigMap&) const = default;
};

// A v1 Secret. `data` holds the decoded bytes, `stringData` already merged in (it wins, as the API server's).
struct Secret {
  std::string name;
  std::string namespace_ = "default";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string type = "Opaque";
  std::map<std::string, std::string> data;
  bool immutable = false;
  PodSource source;
  bool operator==(const Secret&) const = default;
};

// The ConfigMaps, Secrets, PersistentVolumeClaims and PersistentVolumes of the sources, as a pod in their namespace may use them.
struct LocalObjects {
  std::vector<ConfigMap> config_maps;
  std::vector<Secret> secrets;
  std::vector<PersistentVolumeClaim> claims;
  std::vector<PersistentVolume> persistent_volumes;  // cluster-scoped: no namespace
  bool empty() const { return config_maps.empty() && secrets.empty() && claims.empty() && persistent_volumes.empty(); }
  const ConfigMap* FindConfigMap(const std::string& ns, const std::string& name) const;
  const Secret* FindSecret(const std::string& ns, const std::string& name) const;
  bool operator==(const LocalObjects&) const = default;
};

// The API server's limit on one ConfigMap's or Secret's data (MaxSecretSize, and ConfigMap's total size).
inline constexpr size_t kMaxObjectDataBytes = 1024 * 1024;

// IsConfigMapKey (also used for Secret keys): "" when `key` is valid, else the API server's message.
std::string CheckObjectKey(const std::string& key);

// Field checks the API server makes on create (ValidateConfigMap, ValidateSecret), with field paths and
// lines from `lines` (path -> line, as the reader marked them).
std::vector<FieldError> ValidateConfigMap(const ConfigMap& cm, const std::map<std::string, int>& lines,
                                          const std::string& file);
std::vector<FieldError> ValidateSecret(const Secret& s, const std::map<std::string, int>& lines, const std::string& file);

}  // namespace crilet::manifests
