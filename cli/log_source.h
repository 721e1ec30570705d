/// Finding the log file of the container instance `crilet logs` reads, through CRI as kubelet does.
#pragma once

#include <string>

#include "common/status.h"
#include "cri/runtime.h"

namespace crilet::cli {

// The CRI status (log_path, state) of `chosen_id`, the instance ChooseLogContainer picked; kubelet reads
// ContainerStatus.log_path rather than guessing "<restartCount>.log". With `previous`, an instance the runtime
// no longer has (container GC removed it) is replaced by the newest exited instance of `container` in pod
// `pod_uid` that still exists, other than `current_id` (the one the status shows now).
Status FindLogInstance(cri::Runtime* runtime, const std::string& pod_uid, const std::string& container,
                       const std::string& chosen_id, bool previous, const std::string& current_id,
                       cri::ContainerStatus* out);

}  // namespace crilet::cli
