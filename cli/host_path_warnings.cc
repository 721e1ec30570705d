// Once-per-pod SensitiveHostPath events for the desired pods.
#include "cli/host_path_warnings.h"

#include <climits>
#include <cstdlib>
#include <utility>

namespace crilet::cli {

HostPathWarnings::HostPathWarnings(manifests::SensitivePaths sensitive, EventSink* events)
    : sensitive_(std::move(sensitive)), events_(events) {}

std::string SensitiveHostPathMessage(const manifests::SensitiveVolume& v) {
  return "volume \"" + v.volume + "\" mounts host path " + v.path + ": " + v.reason +
         "; allowed, as kubelet allows it, but its containers can change the node";
}

void HostPathWarnings::Observe(const std::vector<manifests::Pod>& pods) {
  auto resolve = [](const std::string& path) {
    char real[PATH_MAX];
    return ::realpath(path.c_str(), real) ? std::string(real) : std::string();
  };
  std::set<std::string> present;
  for (const auto& pod : pods) {
    const std::string& uid = pod.metadata.uid;
    present.insert(uid);
    if (reported_.count(uid)) continue;
    reported_.insert(uid);
    for (const auto& v : manifests::SensitiveVolumes(pod, sensitive_, resolve)) {
      events_->Record(uid, "Warning", kSensitiveHostPathReason, SensitiveHostPathMessage(v), "spec.volumes{" + v.volume + "}");
    }
  }
  for (auto it = reported_.begin(); it != reported_.end();) it = present.count(*it) ? std::next(it) : reported_.erase(it);
}

}  // namespace crilet::cli
