/// ApplyDefaults: the API defaults kubelet's decoder applies to a v1 Pod (pkg/apis/core/v1/defaults.go).
#pragma once

#include <string>

#include "manifests/pod.h"

namespace crilet::manifests {

// restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30, namespace default,
// imagePullPolicy from the tag, probe timings 1/10/1/3, httpGet path "/" and scheme HTTP, port protocol
// TCP, hostNetwork hostPort = containerPort, terminationMessagePath/Policy, fieldRef apiVersion v1,
// requests = limits where only a limit is given, and emptyDir for a volume without a source.
void ApplyDefaults(Pod* pod);

// Always when the tag is "latest" or absent (and there is no digest), else IfNotPresent.
std::string DefaultPullPolicy(const std::string& image);

}  // namespace crilet::manifests
