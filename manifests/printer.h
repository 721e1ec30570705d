/// PodToYaml: a Pod printed as v1 YAML with kubelet's field names, deterministic (used by `crilet validate`).
#pragma once

#include <string>

#include "manifests/pod.h"

namespace crilet::manifests {

std::string PodToYaml(const Pod& pod);

}  // namespace crilet::manifests
