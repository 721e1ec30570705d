/// StartDelays: how late the last probe runs started against their schedule, and the quantiles of that.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace crilet::probes {

// A ring of the last `capacity` delays (seconds). Thread-safe. scripts/bench.sh reports its p50/p99 as the
// probe jitter, through the crilet_probe_start_delay_quantile_seconds summary.
class StartDelays {
 public:
  explicit StartDelays(size_t capacity = 20000) : capacity_(capacity) {}

  // Returns true on the first sample and then every `refresh_every`: time to republish the quantiles.
  bool Add(std::chrono::steady_clock::duration delay, size_t refresh_every = 200);
  std::pair<double, double> Quantiles() const;  // {p50, p99} in seconds; {0, 0} when empty
  // Every delay added since the start, not only the ring's: {sum in seconds, count}, a summary's _sum and _count.
  std::pair<double, uint64_t> Totals() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;  // guards the ring
  std::vector<double> ring_;
  size_t next_ = 0;
  size_t added_ = 0;
  double total_seconds_ = 0;
};

}  // namespace crilet::probes
