// StatusStore: a locked map of pod records.
#include "agent/status_store.h"

#include <algorithm>

namespace crilet::agent {

void StatusStore::Set(const manifests::Pod& pod, const PodStatus& status) {
  std::lock_guard<std::mutex> lock(mu_);
  PodRecord& r = pods_[pod.metadata.uid];
  r.pod = pod;
  r.status = status;
}

void StatusStore::Remove(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  pods_.erase(uid);
}

void StatusStore::MarkTerminating(const std::string& uid, TimePoint deletion_timestamp, int64_t grace_period_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  it->second.deletion_timestamp = deletion_timestamp;
  it->second.deletion_grace_period_seconds = grace_period_seconds;
}

std::optional<PodStatus> StatusStore::Status(const std::string& uid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end()) return std::nullopt;
  return it->second.status;
}

std::vector<PodRecord> StatusStore::Pods() const {
  std::vector<PodRecord> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [uid, r] : pods_) out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const PodRecord& a, const PodRecord& b) {
    return std::tie(a.pod.metadata.namespace_, a.pod.metadata.name) < std::tie(b.pod.metadata.namespace_, b.pod.metadata.name);
  });
  if (events_) {
    for (auto& r : out) r.events = events_->Events(r.pod.metadata.uid);
  }
  return out;
}

std::optional<PodRecord> StatusStore::Find(const std::string& namespace_, const std::string& name) const {
  std::optional<PodRecord> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [uid, r] : pods_) {
      if (r.pod.metadata.name == name && (namespace_.empty() || r.pod.metadata.namespace_ == namespace_)) found = r;
    }
  }
  if (found && events_) found->events = events_->Events(found->pod.metadata.uid);
  return found;
}

}  // namespace crilet::agent
