/// BuildContainerConfig: the CRI ContainerConfig kubelet would send (env, mounts, resources, security, logs).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/qos_policy.h"
#include "common/status.h"
#include "cri/types.h"
#include "manifests/local_objects.h"
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
  int64_t node_memory_bytes = 0;                    // capacity, for oom_score_adj
  int64_t node_allocatable_memory_bytes = 0;        // allocatable, for resourceFieldRef (0: the capacity)
  // The image's user from ImageStatus (ImageUser below); both unset = not known, runAsNonRoot not checked.
  std::optional<int64_t> image_uid;
  std::string image_username;
  std::string seccomp_root;  // <root-dir>/seccomp, where localhostProfile paths resolve (SeccompRoot)
  const manifests::LocalObjects* objects = nullptr;  // ConfigMaps and Secrets env may use; null = none
  std::vector<std::string>* skipped_env = nullptr;   // out, may be null: InvalidEnvironmentVariableNames texts
};

// Kubelet's getImageUser: the image's numeric uid, else its user name; an image with neither (or no
// image status) runs as root, uid 0.
void ImageUser(const std::optional<cri::Image>& image, std::optional<int64_t>* uid, std::string* username);

// Kubelet's verifyRunAsNonRoot on the effective security context (container fields over the pod's): with
// runAsNonRoot true, runAsUser 0, an image that runs as root, or a non-numeric image user is refused with
// kubelet's message; the status shows it as CreateContainerConfigError.
Status VerifyRunAsNonRoot(const manifests::Pod& pod, const manifests::Container& c, const std::optional<int64_t>& uid,
                          const std::string& username);

// Kubelet's makeEnvironmentVariables: envFrom first (each ConfigMap's data or Secret's keys, prefixed; keys
// that are not valid variable names are skipped and named in *skipped, one kubelet event text per source),
// then env in order (literal values expanded against everything defined so far; fieldRef; resourceFieldRef;
// configMapKeyRef and secretKeyRef). A missing object or key is an error in kubelet's words (`configmap "x"
// not found`, `couldn't find key k in ConfigMap ns/x`) that the status shows as CreateContainerConfigError,
// unless the reference is optional. `skipped` may be null.
Status MakeEnvironment(const manifests::Pod& pod, const manifests::Container& c, const ContainerContext& ctx,
                       std::vector<std::pair<std::string, std::string>>* env, std::vector<std::string>* skipped = nullptr);

// IsEnvVarName: "" when `name` may be an environment variable name from envFrom, else the reason.
std::string CheckEnvVarName(const std::string& name);

// A resourceFieldRef's value as kubelet formats it (limits.cpu rounded up by divisor, unset limits read as the
// node's allocatable); shared by env and downwardAPI volume files.
Status ResourceFieldValue(const manifests::Pod& pod, const manifests::Container& self, const ContainerContext& ctx,
                          const manifests::ResourceFieldSelector& sel, std::string* out);

// kubelet's cgroup numbers: cpu shares from requests.cpu (min 2), quota from limits.cpu with a 100ms period,
// memory limit, and oom_score_adj (ContainerOomScoreAdjust in agent/qos_policy.h).
cri::LinuxResources MakeResources(const manifests::Pod& pod, const manifests::Container& c, int64_t node_memory_bytes);

Status BuildContainerConfig(const manifests::Pod& pod, const manifests::Container& c, const ContainerContext& ctx,
                            cri::ContainerConfig* out);

// The log file of a container instance, relative to the pod's log directory: "<name>/<restart>.log".
std::string ContainerLogPath(const std::string& name, int32_t restart_count);

}  // namespace crilet::agent
