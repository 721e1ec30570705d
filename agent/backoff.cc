// Exponential backoff bookkeeping, matching client-go's flowcontrol.Backoff.
#include "agent/backoff.h"

#include <algorithm>

namespace crilet::agent {

bool Backoff::IsInBackOffSince(const std::string& key, TimePoint event_time, TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (Expired(event_time, it->second.last_update)) return false;
  return now - event_time < it->second.backoff;
}

bool Backoff::IsInBackOffSinceUpdate(const std::string& key, TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  return now - it->second.last_update < it->second.backoff;
}

TimePoint Backoff::BackOffUntil(const std::string& key, TimePoint event_time) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(event_time, it->second.last_update)) return event_time;
  return event_time + std::chrono::duration_cast<TimePoint::duration>(it->second.backoff);
}

Duration Backoff::Get(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? Duration{0} : it->second.backoff;
}

void Backoff::Next(const std::string& key, TimePoint event_time, TimePoint now) {
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(event_time, it->second.last_update)) {
    entries_[key] = Entry{std::min(initial_, max_), now};
    return;
  }
  it->second.backoff = std::min(it->second.backoff * 2, max_);
  it->second.last_update = now;
}

void Backoff::GarbageCollect(TimePoint now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = now - it->second.last_update > 2 * max_ ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace crilet::agent
