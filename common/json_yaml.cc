// JSON -> YAML with yaml-cpp's emitter.
#include "common/json_yaml.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

namespace crilet {
namespace {

// True for strings a YAML 1.1/1.2 reader would not read back as a string.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
                                 "True", "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '_' && c != 'x' && c != 'o') return false;
  }
  return digit;
}

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
