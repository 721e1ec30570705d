// Per-pod event history with folding of repeats, and one log line per event.
#include "agent/events.h"

#include <spdlog/spdlog.h>

namespace crilet::agent {

void EventRecorder::Record(const std::string& pod_uid, const std::string& type, const std::string& reason,
                           const std::string& message, const std::string& field_path) {
  TimePoint now = clock_->Now();
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = events_[pod_uid];
    bool folded = false;
    for (auto& e : list) {
      if (e.type == type && e.reason == reason && e.message == message && e.field_path == field_path) {
        e.count++;
        e.last_timestamp = now;
        folded = true;
        break;
      }
    }
    if (!folded) {
      list.push_back(Event{type, reason, message, field_path, now, now, 1});
      while (list.size() > per_pod_) list.pop_front();
    }
    auto it = names_.find(pod_uid);
    name = it == names_.end() ? pod_uid : it->second;
  }
  if (type == "Warning") {
    spdlog::warn("{}: {} {}{}", name, reason, field_path.empty() ? "" : field_path + ": ", message);
  } else {
    spdlog::info("{}: {} {}{}", name, reason, field_path.empty() ? "" : field_path + ": ", message);
  }
}

void EventRecorder::SetPodName(const std::string& pod_uid, const std::string& display_name) {
  std::lock_guard<std::mutex> lock(mu_);
  names_[pod_uid] = display_name;
}

std::vector<Event> EventRecorder::Events(const std::string& pod_uid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(pod_uid);
  if (it == events_.end()) return {};
  return std::vector<Event>(it->second.begin(), it->second.end());
}

void EventRecorder::Forget(const std::string& pod_uid) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.erase(pod_uid);
  names_.erase(pod_uid);
}

}  // namespace crilet::agent
