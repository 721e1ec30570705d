/// kubectl's JSONPath templates (-o jsonpath=..., custom-columns, --sort-by), as client-go's util/jsonpath reads them.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

// A parsed template: text outside braces is printed as it is; inside braces, a path (`.items[*].metadata.name`,
// `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `..name`, `[?(@.type=="Ready")]` with ==, !=, <, <=, >, >= or a bare
// path), a quoted literal ("\n"), or `range PATH` ... `end`. Missing keys print nothing, as kubectl get's
// jsonpath (AllowMissingKeys). Written here because Debian has no C++ JSONPath library for this dialect; fuzzed
// by fuzz/jsonpath_fuzzer.cc.
class JsonPath {
 public:
  struct Node;
  JsonPath();
  ~JsonPath();
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

  // Errors read as kubectl's: `unclosed action`, `unrecognized character in action: U+0021 '!'`, ...
  static Status Parse(const std::string& text, JsonPath* out);

  // The template applied to `data`: strings as they are, other values as compact JSON, the results of one path
  // joined by spaces.
  std::string Execute(const nlohmann::json& data) const;

  // The values the template's paths select in `data`, in order (for custom-columns and --sort-by).
  std::vector<nlohmann::json> Values(const nlohmann::json& data) const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
};

// A custom-columns or --sort-by field (`.metadata.name` or `{.metadata.name}`) as a template.
Status ParseFieldSpec(const std::string& spec, JsonPath* out);

}  // namespace crilet::cli
