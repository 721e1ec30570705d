// Per-pod event history with folding of repeats, and one log line per event.
#include "agent/events.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace crilet::agent {

std::string EventKeyMessage(const std::string& message) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t j = i;
    while (j < message.size() && hex(message[j])) ++j;
    bool bounded = (i == 0 || !word(message[i - 1])) && (j == message.size() || !word(message[j]));
    if (j - i >= 12 && bounded) {
      out += "<id>";
      i = j;
    } else {
      out.append(message, i, std::max<size_t>(j - i, 1));
      i = std::max(j, i + 1);
    }
  }
  return out;
}

void EventRecorder::Record(const std::string& pod_uid, const std::string& type, const std::string& reason,
                           const std::string& message, const std::string& field_path) {
  TimePoint now = clock_->Now();
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = events_[pod_uid];
    bool folded = false;
    std::string key = EventKeyMessage(message);
    for (auto& e : list) {
      if (e.type == type && e.reason == reason && e.field_path == field_path && EventKeyMessage(e.message) == key) {
        e.count++;
        e.last_timestamp = now;
        e.message = message;
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
