/// ConfigzJson: the resolved daemon settings under KubeletConfiguration's field names, as /configz serves them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/daemon_config.h"

namespace crilet::cli {

// `node_name` and `node_ip` are the resolved ones (host name and default route when the config leaves them out).
nlohmann::json ConfigzJson(const DaemonConfig& c, const std::string& node_name, const std::string& node_ip);

// Where persistentVolumeClaims are provisioned: localStoragePath, or <root-dir>/persistent-volumes.
std::string LocalStoragePath(const DaemonConfig& c);

}  // namespace crilet::cli
