// Names of CRI enum values, as CRI tools print them.
#include "cri/types.h"

namespace crilet::cri {

const char* ContainerStateName(ContainerState s) {
  switch (s) {
    case ContainerState::kCreated: return "CONTAINER_CREATED";
    case ContainerState::kRunning: return "CONTAINER_RUNNING";
    case ContainerState::kExited: return "CONTAINER_EXITED";
    case ContainerState::kUnknown: return "CONTAINER_UNKNOWN";
  }
  return "CONTAINER_UNKNOWN";
}

}  // namespace crilet::cri
