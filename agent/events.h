/// EventRecorder: keeps the recent events of each pod (repeats folded with a count) and logs them.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/api_status.h"
#include "common/clock.h"
#include "common/event_sink.h"

namespace crilet::agent {

// The message with container IDs (runs of 12 or more hex digits: full or short) replaced by "<id>": events
// that differ only in which container instance they name are the same event, as kubectl describe shows them
// (each crash-loop restart would otherwise be a row of its own).
std::string EventKeyMessage(const std::string& message);

// Thread-safe. Keeps at most `per_pod` events per pod, oldest dropped first; an event equal in type,
// reason, field path and EventKeyMessage to one already kept bumps its count and last timestamp instead
// (and keeps the newer message).
class EventRecorder : public EventSink {
 public:
  EventRecorder(const Clock* clock, size_t per_pod = 100) : clock_(clock), per_pod_(per_pod) {}

  void Record(const std::string& pod_uid, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& field_path) override;
  // Associates a pod's UID with its name for log lines ("default/web-node1: Started ...").
  void SetPodName(const std::string& pod_uid, const std::string& display_name);

  std::vector<Event> Events(const std::string& pod_uid) const;
  void Forget(const std::string& pod_uid);

 private:
  const Clock* clock_;
  size_t per_pod_;
  mutable std::mutex mu_;  // guards events_ and names_
  std::map<std::string, std::deque<Event>> events_;
  std::map<std::string, std::string> names_;
};

}  // namespace crilet::agent
