/// ParseManifest: YAML/JSON text -> Pod documents, every known field read, unknown fields warned about.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/pod.h"

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
};

// Every YAML document of the text (separated by ---) that is a Pod, or each item of a PodList/List.
// Empty documents are skipped. Text that is not YAML yields one document with the parse error. Limits
// hostile input before yaml-cpp sees it: size (4 MiB), nesting depth (64), aliases (1000 nodes).
std::vector<ParsedDocument> ParseManifest(std::string_view content, const std::string& file);

// The string value of `key` in a YAML mapping, or "" (missing, not a map, not a scalar). Never throws.
std::string ScalarField(const YAML::Node& map, const std::string& key);

inline constexpr size_t kMaxManifestBytes = 4 * 1024 * 1024;

}  // namespace crilet::manifests
