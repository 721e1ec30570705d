/// Prober: the probing service as the agent drives it (implemented by probes::ProbeManager, faked in tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifests/pod.h"
#include "probes/results.h"

namespace crilet::probes {

// A container instance that can be probed.
struct ProbeTarget {
  std::string container_id;  // CRI ID
  std::string name;          // container name in the spec (regular or init/sidecar)
  bool running = false;
  int64_t started_at = 0;    // Unix ns, from CRI
  // Results this instance had when an earlier crilet stopped (the pod's checkpoint): a probe worker made for
  // it starts from these instead of kubelet's initial values, so adopting a Ready pod does not flip it.
  ContainerResults restored{};
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Called by the pod worker after every sync with the pod's current instances: starts probing new
  // container IDs (after initialDelaySeconds from started_at), stops probing IDs no longer present or
  // running. Cheap when nothing changed.
  virtual void UpdatePod(const manifests::Pod& pod, const std::string& pod_ip,
                         const std::vector<ProbeTarget>& containers) = 0;
  // The pod is gone: stop all its probes at once and forget its results.
  virtual void RemovePod(const std::string& pod_uid) = 0;
  virtual PodResults Results(const std::string& pod_uid) const = 0;
};

}  // namespace crilet::probes
