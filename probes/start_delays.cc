// Probe start delays: a fixed ring and nth_element quantiles on a copy.
#include "probes/start_delays.h"

#include <algorithm>

namespace crilet::probes {

bool StartDelays::Add(std::chrono::steady_clock::duration delay, size_t refresh_every) {
  std::lock_guard<std::mutex> lock(mu_);
  double seconds = std::chrono::duration<double>(delay).count();
  if (ring_.size() < capacity_) {
    ring_.push_back(seconds);
  } else {
    ring_[next_] = seconds;
  }
  next_ = (next_ + 1) % capacity_;
  total_seconds_ += seconds;
  // The first run publishes too, so the summary exists as soon as any probe ran.
  return ++added_ % refresh_every == 0 || added_ == 1;
}

std::pair<double, double> StartDelays::Quantiles() const {
  std::vector<double> d;
  {
    std::lock_guard<std::mutex> lock(mu_);
    d = ring_;
  }
  if (d.empty()) return {0, 0};
  auto at = [&](double q) {
    size_t i = std::min(d.size() - 1, static_cast<size_t>(q * static_cast<double>(d.size())));
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(i), d.end());
    return d[i];
  };
  double p50 = at(0.5);
  double p99 = at(0.99);
  return {p50, p99};
}

std::pair<double, uint64_t> StartDelays::Totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {total_seconds_, added_};
}

}  // namespace crilet::probes
