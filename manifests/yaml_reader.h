/// YamlReader: typed reads from yaml-cpp nodes that record errors and unknown-field warnings with path and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/yaml_plain.h"
#include "manifests/field_error.h"
#include "manifests/pod.h"

namespace crilet::manifests {

using crilet::PlainType;
using crilet::ResolvePlain;

// Collects problems for one document. Never throws: every yaml-cpp conversion is checked first.
// A plain YAML scalar as a YAML 1.1 integer, as go-yaml (kubelet's parser) reads one: an optional sign, then
// 0x hex, 0o or a leading 0 octal, 0b binary or decimal digits, underscores ignored. False when it is none.
bool ParseYaml11Int(const std::string& s, long long* out);

class YamlReader {
 public:
  YamlReader(std::string file, std::vector<FieldError>* errors, std::vector<FieldError>* warnings)
      : file_(std::move(file)), errors_(errors), warnings_(warnings) {}

  void Error(const YAML::Node& at, const std::string& path, const std::string& message);
  void Warn(const YAML::Node& at, const std::string& path, const std::string& message);
  // Adds "... more not shown" when more than kMaxReported errors or warnings were found; call once at the end.
  void Finish();
  // Line of a node (1-based), or 0.
  static int Line(const YAML::Node& n);
  // Remembers the line of a path so that later validation can point at it.
  void Mark(const std::string& path, const YAML::Node& n) { lines_[path] = Line(n); }
  const std::map<std::string, int>& lines() const { return lines_; }

  // Walks a mapping: calls `field(key, value, path)` for each key it knows (returns true), warns about the
  // others. An explicit null value counts as absent. A repeated key is warned about and its last value used
  // (as kubelet's YAML reader does). Returns false (with an error) if n is not a mapping.
  bool Fields(const YAML::Node& n, const std::string& path,
              const std::function<bool(const std::string& key, const YAML::Node& v, const std::string& p)>& field);
  // Calls `item(value, path[i])` for each element; a null is an empty list; anything else is an error.
  void List(const YAML::Node& n, const std::string& path,
            const std::function<void(const YAML::Node& v, const std::string& p)>& item);

  // Strings, numbers and booleans as kubelet reads them. Kubelet turns YAML into JSON first, so an unquoted
  // 3600 or yes is a number or a boolean and a string field refuses it; crilet reads the text and warns.
  std::string Str(const YAML::Node& n, const std::string& path);
  bool Bool(const YAML::Node& n, const std::string& path);  // also YAML 1.1's yes/no/on/off, as kubelet
  std::optional<int64_t> Int(const YAML::Node& n, const std::string& path, int64_t min, int64_t max);
  std::vector<std::string> Strings(const YAML::Node& n, const std::string& path);
  std::map<std::string, std::string> StringMap(const YAML::Node& n, const std::string& path);
  std::optional<Quantity> Qty(const YAML::Node& n, const std::string& path);
  std::optional<IntOrString> Port(const YAML::Node& n, const std::string& path);

  const std::string& file() const { return file_; }
  // False once the document made the reader visit too many nodes (an alias bomb): reading stops.
  bool exhausted() const { return budget_ <= 0; }

 private:
  bool Spend(const YAML::Node& at, const std::string& path);

  static constexpr size_t kMaxReported = 100;
  long budget_ = 20000;  // a large real pod (hundreds of env vars) needs ~2000
  size_t errors_dropped_ = 0;
  size_t warnings_dropped_ = 0;
  std::string file_;
  std::vector<FieldError>* errors_;
  std::vector<FieldError>* warnings_;
  std::map<std::string, int> lines_;
};

}  // namespace crilet::manifests
