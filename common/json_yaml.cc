// JSON -> YAML with yaml-cpp's emitter.
#include "common/json_yaml.h"

#include <yaml-cpp/yaml.h>

#include "common/yaml_plain.h"

namespace crilet {
namespace {

// True for strings a YAML reader would not read back as a string (go-yaml v2 reads "N" or "0755" as values).
bool NeedsQuotes(const std::string& s) { return ResolvePlain(s) != PlainType::kString; }

void Emit(YAML::Emitter& e, const nlohmann::json& j) {
  if (j.is_object()) {
    e << YAML::BeginMap;
    for (auto it = j.begin(); it != j.end(); ++it) {
      e << YAML::Key << it.key() << YAML::Value;
      Emit(e, it.value());
    }
    e << YAML::EndMap;
  } else if (j.is_array()) {
    e << YAML::BeginSeq;
    for (const auto& x : j) Emit(e, x);
    e << YAML::EndSeq;
  } else if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (NeedsQuotes(s)) e << YAML::DoubleQuoted;
    e << s;
  } else if (j.is_null()) {
    e << YAML::Null;
  } else if (j.is_boolean()) {
    e << (j.get<bool>() ? "true" : "false");
  } else {
    e << j.dump();
  }
}

}  // namespace

std::string JsonToYaml(const nlohmann::json& j) {
  YAML::Emitter e;
  Emit(e, j);
  return std::string(e.c_str()) + "\n";
}

}  // namespace crilet
