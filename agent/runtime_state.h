/// RuntimeStateReader: reads one pod's sandboxes and container instances from CRI into an ObservedPod.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "agent/observed.h"
#include "common/status.h"
#include "cri/runtime.h"

namespace crilet::agent {

// Fills ObservedContainer from CRI's ContainerStatus and kubelet's annotations.
ObservedContainer ToObserved(const cri::ContainerStatus& s, const std::string& sandbox_id);

// Thread-safe. Exited containers never change, so their statuses are cached by ID and not asked again;
// the cache forgets IDs that disappear from the runtime.
class RuntimeStateReader {
 public:
  // `root_dir`: this crilet's (absolute) root dir; sandboxes another instance labelled as its own, and their
  // containers, are left out of every ObservedPod, so a pod of the same UID there is never adopted.
  explicit RuntimeStateReader(cri::Runtime* runtime, std::string root_dir = "")
      : runtime_(runtime), root_dir_(std::move(root_dir)) {}

  // Lists the pod's sandboxes and containers by the io.kubernetes.pod.uid label, newest first.
  Status GetPod(const std::string& uid, ObservedPod* out);

 private:
  cri::Runtime* runtime_;
  std::string root_dir_;
  struct CachedExit {
    std::string pod_uid;
    ObservedContainer container;
  };
  std::mutex mu_;  // guards exited_
  std::map<std::string, CachedExit> exited_;  // by container ID
};

}  // namespace crilet::agent
