/// ObservedPod: what the runtime holds for one pod (sandboxes and container instances), as the planner reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cri/types.h"

namespace crilet::agent {

struct ObservedSandbox {
  std::string id;
  uint32_t attempt = 0;
  cri::SandboxState state = cri::SandboxState::kNotReady;
  int64_t created_at = 0;  // Unix ns
  std::string ip;          // empty for host-network sandboxes
  bool host_network = false;
};

// One container instance. Several instances of the same container name may exist (restarts keep the last
// exited one for `logs --previous`); ObservedPod keeps them newest first.
struct ObservedContainer {
  std::string id;
  std::string sandbox_id;
  std::string name;
  cri::ContainerState state = cri::ContainerState::kUnknown;
  int64_t created_at = 0;   // Unix ns
  int64_t started_at = 0;   // 0 = never started
  int64_t finished_at = 0;  // 0 = not finished
  int32_t exit_code = 0;
  std::string reason;       // from the runtime: Completed, Error, OOMKilled, StartError
  std::string message;
  std::string image;        // as requested
  std::string image_ref;    // resolved image ID
  uint64_t hash = 0;        // io.kubernetes.container.hash
  int32_t restart_count = 0;  // io.kubernetes.container.restartCount
  std::string log_path;
  std::string termination_message_path;    // from annotations
  std::string termination_message_policy;
  std::string termination_message_host_path;  // the host file mounted at termination_message_path
};

struct ObservedPod {
  std::string uid;
  std::vector<ObservedSandbox> sandboxes;      // newest first
  std::vector<ObservedContainer> containers;   // newest first

  // The newest instance of a container by name, or nullptr (kubelet's FindContainerStatusByName).
  const ObservedContainer* Latest(const std::string& name) const {
    for (const auto& c : containers) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
  // The newest exited instance of a container by name, or nullptr.
  const ObservedContainer* LatestExited(const std::string& name) const {
    for (const auto& c : containers) {
      if (c.name == name && c.state == cri::ContainerState::kExited) return &c;
    }
    return nullptr;
  }
};

}  // namespace crilet::agent
