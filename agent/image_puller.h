/// EnsureImage: makes a container's image present per imagePullPolicy, with kubelet's pull backoff and events.
#pragma once

#include <string>

#include "agent/backoff.h"
#include "agent/services.h"
#include "agent/status_gen.h"
#include "manifests/pod.h"

namespace crilet::agent {

// On success fills *image_ref (the image ID to create the container from). On failure fills *failure with
// the waiting reason kubelet shows (ErrImageNeverPull, ErrImagePull, ImagePullBackOff) and records events.
// `backoff` is the pod's image backoff, keyed "<podUID>_<image>".
bool EnsureImage(const Services& env, const manifests::Pod& pod, const manifests::Container& c,
                 const cri::SandboxConfig& sandbox, const std::string& field_path, Backoff* backoff,
                 std::string* image_ref, StartFailure* failure);

}  // namespace crilet::agent
