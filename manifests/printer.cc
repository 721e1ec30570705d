// PodToYaml: the v1 JSON form of a pod, emitted as YAML.
#include "manifests/printer.h"

#include "common/json_yaml.h"
#include "manifests/pod_json.h"

namespace crilet::manifests {

std::string PodToYaml(const Pod& pod) { return JsonToYaml(PodToJson(pod)); }

}  // namespace crilet::manifests
