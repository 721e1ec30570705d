/// Metrics: counters, gauges, histograms and summaries with labels, rendered in the Prometheus text format.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace crilet {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A family of series sharing a name, help text and type; one series per distinct label set.
// All methods are thread-safe. Families are created once (at start-up) and live as long as the registry.
class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram, kSummary };

  // Declares a family; declaring the same name twice returns without change.
  void Declare(const std::string& name, Type type, const std::string& help,
               std::vector<double> buckets = {});

  void Add(const std::string& name, const MetricLabels& labels, double delta = 1);    // counter or gauge
  void Set(const std::string& name, const MetricLabels& labels, double value);       // gauge
  void Observe(const std::string& name, const MetricLabels& labels, double value);   // histogram
  // A summary computed by the caller: {quantile, value} pairs (rendered with the reserved `quantile` label), and the
  // sum and count of every observation.
  void SetSummary(const std::string& name, const MetricLabels& labels,
                  const std::vector<std::pair<double, double>>& quantiles, double sum, uint64_t count);
  // Drops all series of a gauge family (before it is recomputed from scratch, e.g. pods by phase).
  void ResetGauge(const std::string& name);
  // Drops all series of a family of any type: usage counters of containers that are gone (their values are set
  // from the runtime's cumulative counters, so a series that comes back carries on where it was).
  void ResetFamily(const std::string& name);

  double Value(const std::string& name, const MetricLabels& labels) const;  // counter/gauge; 0 if absent
  uint64_t HistogramCount(const std::string& name, const MetricLabels& labels) const;

  std::string RenderPrometheus() const;

  static std::vector<double> LatencyBuckets();  // seconds: 5ms .. 60s

 private:
  struct Series {
    double value = 0;
    std::vector<uint64_t> bucket_counts;
    std::vector<std::pair<double, double>> quantiles;  // summaries
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<MetricLabels, Series> series;
  };
  mutable std::mutex mu_;  // guards families_
  std::map<std::string, Family> families_;
};

}  // namespace crilet
