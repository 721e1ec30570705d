/// Backoff: kubelet's per-key exponential backoff (client-go flowcontrol.Backoff, no jitter) on an injected clock.
#pragma once

#include <map>
#include <string>

#include "common/clock.h"

namespace crilet::agent {

// Crash restarts and image pulls wait initial, 2x, 4x... up to max; an entry whose last update is more
// than 2*max before the new event is considered stable again and starts over (a container that ran for
// ~10 minutes with the default 5m cap). Not thread-safe: each pod worker owns its own.
class Backoff {
 public:
  struct Entry {
    Duration backoff{};
    TimePoint last_update;
  };

  Backoff(Duration initial, Duration max) : initial_(initial), max_(max) {}

  // True while now - event_time < the key's current backoff (and the entry has not expired).
  bool IsInBackOffSince(const std::string& key, TimePoint event_time, TimePoint now) const;
  // True while now - the key's last update < its backoff (image pulls count from the failed pull itself).
  bool IsInBackOffSinceUpdate(const std::string& key, TimePoint now) const;
  // The time the key's backoff since event_time ends; event_time if not in backoff.
  TimePoint BackOffUntil(const std::string& key, TimePoint event_time) const;
  // Current backoff of the key (0 if none).
  Duration Get(const std::string& key) const;
  // Records another occurrence at event_time: start at initial, or double up to max.
  void Next(const std::string& key, TimePoint event_time, TimePoint now);
  void Reset(const std::string& key) { entries_.erase(key); }
  // Drops entries not updated for 2*max (kubelet runs this in housekeeping).
  void GarbageCollect(TimePoint now);

  const std::map<std::string, Entry>& entries() const { return entries_; }
  void Restore(const std::string& key, Entry e) { entries_[key] = e; }
  Duration initial() const { return initial_; }
  Duration max() const { return max_; }

 private:
  bool Expired(TimePoint event_time, TimePoint last_update) const { return event_time - last_update > 2 * max_; }

  Duration initial_;
  Duration max_;
  std::map<std::string, Entry> entries_;
};

}  // namespace crilet::agent
