/// Helpers for the probes unit tests: probe specs, a closed loopback port, bounded waits, a recording EventSink.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/event_sink.h"
#include "loopback.h"
#include "manifests/pod.h"

namespace crilet::testing {

inline manifests::Probe MakeProbe(int success = 1, int failure = 3, int initial_delay = 0, int period = 1) {
  manifests::Probe p;
  p.success_threshold = success;
  p.failure_threshold = failure;
  p.initial_delay_seconds = initial_delay;
  p.period_seconds = period;
  p.timeout_seconds = 1;
  return p;
}

inline manifests::Probe ExecProbeSpec(const std::string& command, int success = 1, int failure = 1) {
  manifests::Probe p = MakeProbe(success, failure);
  p.handler.exec = manifests::ExecAction{{command}};
  return p;
}

// Polls cond every 5 ms until it holds or `limit` passes.
inline bool Eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

inline std::chrono::milliseconds Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t);
}

struct RecordingSink : EventSink {
  struct Event {
    std::string pod_uid, type, reason, message, field_path;
  };
  void Record(const std::string& pod_uid, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& field_path) override {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(Event{pod_uid, type, reason, message, field_path});
  }
  // Events as "Type Reason Message".
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> l(mu);
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.type + " " + e.reason + " " + e.message);
    return out;
  }
  bool Has(const std::string& line) {
    for (const auto& l : Lines()) {
      if (l == line) return true;
    }
    return false;
  }
  std::mutex mu;
  std::vector<Event> events;
};

}  // namespace crilet::testing
