/// ParseManifest: YAML/JSON text -> Pod documents, every known field read, unknown fields warned about.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"
#include "manifests/yaml_guard.h"  // kMaxManifestBytes

namespace YAML {
class Node;
}

namespace crilet::manifests {

struct ParsedDocument {
  Pod pod;
  // Set instead of `pod` for a ConfigMap or Secret document (read and checked by ReadLocalObject).
  std::optional<ConfigMap> config_map;
  std::optional<Secret> secret;
  std::optional<PersistentVolumeClaim> claim;
  std::optional<PersistentVolume> persistent_volume;
  int line = 0;                     // where the document starts
  std::map<std::string, int> lines;  // field path -> line, for validation messages
  std::vector<FieldError> errors;
  std::vector<FieldError> warnings;
  std::string path_prefix;  // "items[2]" for the third pod of a PodList; prefixes validation paths too
};

// Every YAML document of the text (separated by ---) that is a Pod, ConfigMap or Secret, or each item of a
// PodList/List.
// Empty documents are skipped. Text that is not YAML, or is refused by SafeLoadAll's limits (size, encoding,
// nesting, node count), yields one document with that error. Alias expansion is bounded while reading.
std::vector<ParsedDocument> ParseManifest(std::string_view content, const std::string& file);

// The string value of `key` in a YAML mapping, or "" (missing, not a map, not a scalar). Never throws.
std::string ScalarField(const YAML::Node& map, const std::string& key);

}  // namespace crilet::manifests
