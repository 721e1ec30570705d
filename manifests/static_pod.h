/// Static pod identity as kubelet gives it: UID from the content, name-<node>, config annotations.
#pragma once

#include <string>

#include "manifests/pod.h"

namespace crilet::manifests {

inline constexpr const char* kConfigHashAnnotation = "kubernetes.io/config.hash";
inline constexpr const char* kConfigSourceAnnotation = "kubernetes.io/config.source";
inline constexpr const char* kConfigSeenAnnotation = "kubernetes.io/config.seen";
inline constexpr const char* kConfigMirrorAnnotation = "kubernetes.io/config.mirror";

// 32 hex characters of FNV-128a over `canonical` + "host:<node>" + "<kind>:<path>" (kubelet hashes the
// decoded pod the same way with MD5 or FNV-128a; any deterministic content hash behaves the same).
std::string StaticPodUid(const std::string& canonical, const std::string& node, const PodSource& source);

// Applies kubelet's applyDefaults for a static pod (cfg/common.go): uid when empty (from the canonical
// content), name suffixed with -<node>, spec.nodeName, config.hash and config.source annotations, and the
// NoExecute toleration. `canonical` is the defaulted pod printed deterministically.
void MakeStaticPod(Pod* pod, const std::string& node, const std::string& canonical);

}  // namespace crilet::manifests
