/// StatusStore: the latest manifest and status of every pod, read by the status server and the CLI.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/api_status.h"
#include "agent/events.h"

namespace crilet::agent {

// Thread-safe. Pod workers write; readers get copies.
class StatusStore {
 public:
  explicit StatusStore(const EventRecorder* events) : events_(events) {}

  void Set(const manifests::Pod& pod, const PodStatus& status);
  void Remove(const std::string& uid);
  // The pod is being removed; a pod without a record (an orphan) is left without one.
  void MarkTerminating(const std::string& uid, TimePoint deletion_timestamp, int64_t grace_period_seconds);
  std::optional<PodStatus> Status(const std::string& uid) const;
  // All pods, sorted by namespace and name, with their events.
  std::vector<PodRecord> Pods() const;
  std::optional<PodRecord> Find(const std::string& namespace_, const std::string& name) const;

 private:
  const EventRecorder* events_;
  mutable std::mutex mu_;  // guards pods_
  std::map<std::string, PodRecord> pods_;  // by UID
};

}  // namespace crilet::agent
