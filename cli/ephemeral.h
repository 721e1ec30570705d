/// crilet debug's containers: how they are labelled, and how describe shows them as kubectl's ephemeral containers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/status_source.h"
#include "cri/types.h"

namespace crilet::cli {

// A debug container carries the UID of the pod it serves under this label and not under kubelet's
// io.kubernetes.pod.uid, so the agent never counts it as one of the pod's containers: it is never restarted
// or killed by the planner, and it goes with the pod's sandbox.
inline constexpr char kEphemeralForLabel[] = "crilet.io/ephemeral-for";
// The container named by debug --target (a label), and the image as the user typed it (an annotation).
inline constexpr char kDebugTargetLabel[] = "crilet.io/debug-target";
inline constexpr char kDebugImageAnnotation[] = "crilet.io/image";

// The v1 EphemeralContainer and ContainerStatus of one debug container, for describe.
nlohmann::json EphemeralSpecJson(const cri::ContainerStatus& st, const std::string& target);
nlohmann::json EphemeralStatusJson(const cri::ContainerStatus& st);

// Adds the pod's debug containers that still run to `pod` (spec.ephemeralContainers and
// status.ephemeralContainerStatuses), asking the runtime the daemon uses; nothing on any error.
void AddEphemeralContainers(const StatusSource& source, nlohmann::json* pod);

}  // namespace crilet::cli
