/// ApplyDefaults: the API defaults kubelet's decoder applies to a v1 Pod (pkg/apis/core/v1/defaults.go).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "manifests/pod.h"

namespace crilet::manifests {

// restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30, namespace default,
// imagePullPolicy from the tag, probe timings 1/10/1/3, httpGet path "/" and scheme HTTP, port protocol
// TCP, hostNetwork hostPort = containerPort, terminationMessagePath/Policy, fieldRef apiVersion v1,
// requests = limits where only a limit is given, emptyDir for a volume without a source, and priority
// from a system PriorityClass name (SystemPriority).
void ApplyDefaults(Pod* pod);

// The two system PriorityClasses the API server always has, and their values.
inline constexpr const char* kSystemNodeCritical = "system-node-critical";
inline constexpr const char* kSystemClusterCritical = "system-cluster-critical";
inline constexpr int32_t kSystemNodeCriticalPriority = 2000001000;
inline constexpr int32_t kSystemClusterCriticalPriority = 2000000000;

// The value the API server's Priority admission gives a pod of this class: the two system classes; nullopt
// for any other name (a PriorityClass object crilet cannot read without an API server).
std::optional<int32_t> SystemPriority(const std::string& priority_class_name);

// Always when the tag is "latest" or absent (and there is no digest), else IfNotPresent.
std::string DefaultPullPolicy(const std::string& image);

}  // namespace crilet::manifests
