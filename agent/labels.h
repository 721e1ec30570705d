/// Kubelet's CRI labels and annotations (kuberuntime/labels.go), so crictl users and crilet itself recognise pods.
#pragma once

#include <cstdint>
#include <string>

#include "cri/types.h"
#include "manifests/pod.h"

namespace crilet::agent {

inline constexpr const char* kPodNameLabel = "io.kubernetes.pod.name";
inline constexpr const char* kPodNamespaceLabel = "io.kubernetes.pod.namespace";
inline constexpr const char* kPodUidLabel = "io.kubernetes.pod.uid";
inline constexpr const char* kContainerNameLabel = "io.kubernetes.container.name";

inline constexpr const char* kContainerHashAnnotation = "io.kubernetes.container.hash";
inline constexpr const char* kRestartCountAnnotation = "io.kubernetes.container.restartCount";
inline constexpr const char* kTerminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";
inline constexpr const char* kTerminationMessagePolicyAnnotation = "io.kubernetes.container.terminationMessagePolicy";
inline constexpr const char* kPreStopHandlerAnnotation = "io.kubernetes.container.preStopHandler";
inline constexpr const char* kContainerPortsAnnotation = "io.kubernetes.container.ports";
inline constexpr const char* kPodTerminationGracePeriodAnnotation = "io.kubernetes.pod.terminationGracePeriod";

// crilet's own sandbox label: the absolute --root-dir of the instance that made the sandbox. Two crilets on
// one runtime (different root dirs) tell their pods apart by it and never remove or adopt each other's.
inline constexpr const char* kInstanceLabel = "io.crilet.root-dir";
// The node name the instance gave the pod (static pods are <name>-<node>, and their UIDs hash it): with the
// root dir, what the CLI needs to read a crilet's pods when its status server is off (cli/local_status.h).
inline constexpr const char* kNodeNameLabel = "io.crilet.node-name";

// Who owns a sandbox, as an instance with root dir `root_dir` sees it.
enum class Ownership { kOurs, kOtherInstance, kUnlabeled };
// kUnlabeled: made by a crilet before the label existed (or by another kubelet): ours only if this instance
// has the pod's directory (<root-dir>/pods/<uid>), which crilet writes at a pod's first sync.
// *other is set to the other instance's root dir.
Ownership SandboxOwnership(const cri::Labels& labels, const std::string& root_dir, std::string* other = nullptr);

// Kubelet's container hash (pkg/kubelet/container/helpers.go, since 1.31): FNV-1a 32 over the spew dump of
// the JSON {"image":..,"name":..}. Only a name or image change restarts a running container.
uint64_t ContainerHash(const manifests::Container& c);
std::string FormatHash(uint64_t hash);     // lowercase hex, as in the annotation
uint64_t ParseHash(const std::string& s);  // 0 if malformed

// Labels of a sandbox: the pod's labels plus the three pod identity labels.
cri::Labels SandboxLabels(const manifests::Pod& pod);
// Labels of a container: only the identity labels (kubelet does not copy pod labels onto containers).
cri::Labels ContainerLabels(const manifests::Pod& pod, const manifests::Container& c);
cri::Labels ContainerAnnotations(const manifests::Pod& pod, const manifests::Container& c, int32_t restart_count);

}  // namespace crilet::agent
