/// JsonToYaml: a JSON value as block YAML, quoting strings that YAML would read as numbers, booleans or null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace crilet {

std::string JsonToYaml(const nlohmann::json& j);

}  // namespace crilet
