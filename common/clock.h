/// Clock: the one source of "now" for decisions, injectable so tests can move time by hand.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace crilet {

// Wall-clock time: CRI reports timestamps (created_at, started_at, finished_at) as Unix nanoseconds and
// kubelet compares them with "now", so decisions use the same clock.
using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;

inline TimePoint FromUnixNanos(int64_t ns) { return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(ns))); }
inline int64_t ToUnixNanos(TimePoint t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when the test says so. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixNanos(1'700'000'000'000'000'000)) : now_(start) {}
  TimePoint Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += std::chrono::duration_cast<TimePoint::duration>(d);
  }
  void Set(TimePoint t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;  // guards now_
  TimePoint now_;
};

}  // namespace crilet
