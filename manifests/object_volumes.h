/// configMap, secret, downwardAPI and projected volume sources (v1 field names) and the API server's checks on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/quantity.h"

namespace crilet::manifests {

// One items[] entry of a configMap or secret source: key -> relative path, optional file mode.
struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
  bool operator==(const KeyToPath&) const = default;
};

struct ConfigMapProjection {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<bool> optional;
  bool operator==(const ConfigMapProjection&) const = default;
};

struct SecretProjection {
  std::string name;  // secretName in a secret volume, name in a projected source
  std::vector<KeyToPath> items;
  std::optional<bool> optional;
  bool operator==(const SecretProjection&) const = default;
};

// One downwardAPI items[] entry: exactly one of field_path / resource set.
struct DownwardApiFile {
  std::string path;
  std::string field_path;      // fieldRef.fieldPath: metadata.name, metadata.labels, ...
  std::string container_name;  // resourceFieldRef.containerName
  std::string resource;        // resourceFieldRef.resource: limits.cpu, requests.memory, ...
  std::optional<Quantity> divisor;  // resourceFieldRef.divisor; unset = 1
  std::optional<int32_t> mode;
  bool operator==(const DownwardApiFile&) const = default;
};

struct DownwardApiProjection {
  std::vector<DownwardApiFile> items;
  bool operator==(const DownwardApiProjection&) const = default;
};

// One sources[] entry of a projected volume: exactly one set.
struct VolumeProjection {
  std::optional<ConfigMapProjection> config_map;
  std::optional<SecretProjection> secret;
  std::optional<DownwardApiProjection> downward_api;
  bool operator==(const VolumeProjection&) const = default;
};

// The four volume kinds with their defaultMode (the API server defaults it to 0644).
struct ObjectVolumeSource {
  enum class Kind { kConfigMap, kSecret, kDownwardApi, kProjected };
  Kind kind = Kind::kConfigMap;
  std::vector<VolumeProjection> sources;  // one for configMap/secret/downwardAPI, the list for projected
  std::optional<int32_t> default_mode;
  bool operator==(const ObjectVolumeSource&) const = default;
};

inline constexpr int32_t kDefaultVolumeFileMode = 0644;

// The field name of the kind in a volume ("configMap", "secret", "downwardAPI", "projected").
const char* ObjectVolumeKindName(ObjectVolumeSource::Kind kind);

// True when files of this volume hold Secret data, which kubelet keeps on tmpfs.
bool NeedsTmpfs(const ObjectVolumeSource& v);

// The API server's validation (validateConfigMapVolumeSource, validateSecretVolumeSource,
// validateDownwardAPIVolumeSource, validateProjectedVolumeSource); `path` is the field path of the
// volume's source ("spec.volumes[0].configMap"). Lines are left 0; the parser fills them.
std::vector<FieldError> ValidateObjectVolume(const ObjectVolumeSource& v, const std::string& path);

// validateLocalDescendingPath: "" when `p` is a relative path without ".." elements, else the message.
std::string CheckProjectedPath(const std::string& p);

}  // namespace crilet::manifests
