/// StartContainer: kubelet's startContainer: image, config, CreateContainer, StartContainer, postStart hook.
#pragma once

#include <atomic>
#include <map>
#include <string>

#include "agent/backoff.h"
#include "agent/observed.h"
#include "agent/plan.h"
#include "agent/pod_files.h"
#include "agent/services.h"
#include "agent/status_gen.h"

namespace crilet::agent {

struct StartRequest {
  const manifests::Pod* pod = nullptr;
  ContainerRef ref;
  const ObservedPod* observed = nullptr;  // for the restart count
  std::string sandbox_id;
  const cri::SandboxConfig* sandbox_config = nullptr;
  std::string pod_ip;
  const std::map<std::string, std::string>* volume_paths = nullptr;
  const PodFiles* files = nullptr;
  Backoff* image_backoff = nullptr;
};

// The restart count of a container with no instance left in the runtime: 1 + the highest N of the
// "<N>.log*" files in its log directory, else 0 (kubelet's calcRestartCountByLogDir).
int32_t RestartCountFromLogDir(const std::string& dir);

// True when the container was started (and its postStart hook succeeded). Otherwise *failure holds the
// waiting reason and message kubelet reports (ErrImagePull, CreateContainerConfigError, CreateContainerError,
// RunContainerError, PostStartHookError...), and the events were recorded.
bool StartContainer(const Services& env, const StartRequest& req, std::string* container_id, StartFailure* failure,
                    const std::atomic<bool>* cancel);

}  // namespace crilet::agent
