/// ReadLocalObject: one YAML document of kind ConfigMap, Secret, PersistentVolumeClaim or PersistentVolume -> the object, validated, with located errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/local_objects.h"

namespace YAML {
class Node;
}

namespace crilet::manifests {

struct LocalObjectDocument {
  std::optional<ConfigMap> config_map;  // one of the two is set when `errors` is empty
  std::optional<Secret> secret;
  std::optional<PersistentVolumeClaim> claim;
  std::optional<PersistentVolume> persistent_volume;
  std::vector<FieldError> errors;
  std::vector<FieldError> warnings;
};

// True for the kinds ReadLocalObject reads.
bool IsLocalObjectKind(const std::string& kind);

// Reads a mapping whose kind is ConfigMap or Secret (apiVersion v1): metadata (name, namespace, labels,
// annotations), data/binaryData/immutable or data/stringData/type/immutable. Secret data and ConfigMap
// binaryData are base64 as in the API; a value that is not is an error naming its key. Errors never carry
// secret values.
LocalObjectDocument ReadLocalObject(const YAML::Node& n, const std::string& file);

}  // namespace crilet::manifests
