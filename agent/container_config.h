/// BuildContainerConfig: the CRI ContainerConfig kubelet would send (env, mounts, resources, security, logs).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "cri/types.h"
#include "manifests/pod.h"

namespace crilet::agent {

// What the container's config depends on besides the spec; filled by the pod worker.
struct ContainerContext {
  int32_t restart_count = 0;
  std::string pod_ip;
  std::vector<std::string> pod_ips;
  std::string host_ip;
  std::map<std::string, std::string> volume_paths;  // volume name -> host directory or file
  std::string etc_hosts_path;                       // host file mounted at /etc/hosts; "" = none
  std::string termination_message_path;            // host file mounted at terminationMessagePath; "" = none
  int64_t node_cpu_milli = 0;                       // allocatable, for resourceFieldRef of unset limits
  int64_t node_memory_bytes = 0;
};

// Resolves env in order (literal values expanded against earlier ones; fieldRef; resourceFieldRef).
// An unresolvable reference is an error the status shows as CreateContainerConfigError.
Status MakeEnvironment(const manifests::Pod& pod, const manifests::Container& c, const ContainerContext& ctx,
                       std::vector<std::pair<std::string, std::string>>* env);

// kubelet's cgroup numbers: cpu shares from requests.cpu (min 2), quota from limits.cpu with a 100ms period,
// memory limit, and oom_score_adj from the pod's QoS class.
cri::LinuxResources MakeResources(const manifests::Pod& pod, const manifests::Container& c, int64_t node_memory_bytes);

// "Guaranteed", "Burstable" or "BestEffort", as kubelet's qos.GetPodQOS.
std::string PodQosClass(const manifests::Pod& pod);

Status BuildContainerConfig(const manifests::Pod& pod, const manifests::Container& c, const ContainerContext& ctx,
                            cri::ContainerConfig* out);

// The log file of a container instance, relative to the pod's log directory: "<name>/<restart>.log".
std::string ContainerLogPath(const std::string& name, int32_t restart_count);

}  // namespace crilet::agent
