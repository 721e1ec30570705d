/// ParseManifest: YAML/JSON text -> Pod documents, every known field read, unknown fields warned about.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/pod.h"
#include "manifests/yaml_guard.h"  // kMaxManifestBytes

namespace YAML {
class Node;
}

namespace crilet::manifests {

struct ParsedDocument {
  Pod pod;
  int line = 0;                     // where the document starts
  std::map<std::string, int> lines;  // field path -> line, for validation messages
  std::vector<FieldError> errors;
  std::vector<FieldError> warnings;
  std::string path_prefix;  // "items[2]" for the third pod of a PodList; prefixes validation paths too
};

// Every YAML document of the text (separated by ---) that is a Pod, or each item of a PodList/List.
// Empty documents are skipped. Text that is not YAML, or is refused by SafeLoadAll's limits (size, encoding,
// nesting, node count), yields one document with that error. Alias expansion is bounded while reading.
std::vector<ParsedDocument> ParseManifest(std::string_view content, const std::string& file);

// The string value of `key` in a YAML mapping, or "" (missing, not a map, not a scalar). Never throws.
std::string ScalarField(const YAML::Node& map, const std::string& key);

}  // namespace crilet::manifests
