/// PodToJson: the Pod model as a v1 Pod object with Kubernetes' field names (apiVersion, kind, metadata, spec).
#pragma once

#include <nlohmann/json.hpp>

#include "manifests/pod.h"

namespace crilet::manifests {

// Every field the model holds; unset optional fields are left out. The one source for `crilet validate`
// output, the canonical content behind static pod UIDs, and the spec the status server serves.
nlohmann::json PodToJson(const Pod& pod);

}  // namespace crilet::manifests
