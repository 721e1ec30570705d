/// HostPathWarnings: one SensitiveHostPath warning event (which is also a log line) per pod UID and volume for
/// hostPath volumes that expose the node (see manifests/host_path_safety.h); `crilet describe` shows it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/event_sink.h"
#include "manifests/host_path_safety.h"
#include "manifests/pod.h"

namespace crilet::cli {

inline constexpr const char* kSensitiveHostPathReason = "SensitiveHostPath";

// Not thread-safe: PodConfig delivers desired sets one at a time, and this is called from that callback.
// `events` must outlive it.
class HostPathWarnings {
 public:
  HostPathWarnings(manifests::SensitivePaths sensitive, EventSink* events);

  // Reports the sensitive volumes of pods not seen before; forgets pods that left the set, so a pod that
  // comes back (a new UID after an edit, or the same one) is reported again.
  void Observe(const std::vector<manifests::Pod>& pods);

 private:
  manifests::SensitivePaths sensitive_;
  EventSink* events_;
  std::set<std::string> reported_;  // pod UIDs
};

// The event's message: `volume "etc" mounts host path /etc: host configuration (/etc); allowed, as kubelet
// allows it, but its containers can change the node`.
std::string SensitiveHostPathMessage(const manifests::SensitiveVolume& v);

}  // namespace crilet::cli
