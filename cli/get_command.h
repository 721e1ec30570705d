/// `crilet get pods [NAME] [-o wide|json|yaml]`: pods of a running agent, in kubectl's style.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace crilet::cli {

int GetCommand(int argc, char** argv);

// JSON as block YAML (for -o yaml).
std::string JsonToYaml(const nlohmann::json& j);

}  // namespace crilet::cli
