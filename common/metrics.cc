// Metrics registry and Prometheus text rendering.
#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace crilet {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatLabels(const MetricLabels& labels, const std::string& extra_key = "", const std::string& extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    out += k + "=\"" + Escape(v) + "\"";
    first = false;
  }
  if (!extra_key.empty()) {
    if (!first) out += ",";
    out += extra_key + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

std::string FormatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  return buf;
}

const char* TypeName(Metrics::Type t) {
  switch (t) {
    case Metrics::Type::kCounter: return "counter";
    case Metrics::Type::kGauge: return "gauge";
    case Metrics::Type::kHistogram: return "histogram";
    case Metrics::Type::kSummary: return "summary";
  }
  return "untyped";
}

}  // namespace

std::vector<double> Metrics::LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void Metrics::Declare(const std::string& name, Type type, const std::string& help, std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  if (families_.count(name)) return;
  Family f;
  f.type = type;
  f.help = help;
  f.buckets = std::move(buckets);
  std::sort(f.buckets.begin(), f.buckets.end());
  families_.emplace(name, std::move(f));
}

void Metrics::Add(const std::string& name, const MetricLabels& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.series[labels].value += delta;
}

void Metrics::Set(const std::string& name, const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type == Type::kHistogram || it->second.type == Type::kSummary) return;
  it->second.series[labels].value = value;
}

void Metrics::Observe(const std::string& name, const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  Family& f = it->second;
  Series& s = f.series[labels];
  if (s.bucket_counts.size() != f.buckets.size()) s.bucket_counts.assign(f.buckets.size(), 0);
  for (size_t i = 0; i < f.buckets.size(); ++i) {
    if (value <= f.buckets[i]) s.bucket_counts[i]++;
  }
  s.sum += value;
  s.count++;
}

void Metrics::SetSummary(const std::string& name, const MetricLabels& labels,
                         const std::vector<std::pair<double, double>>& quantiles, double sum, uint64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != Type::kSummary) return;
  Series& s = it->second.series[labels];
  s.quantiles = quantiles;
  s.sum = sum;
  s.count = count;
}

void Metrics::ResetGauge(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end() && it->second.type == Type::kGauge) it->second.series.clear();
}

void Metrics::ResetFamily(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.series.clear();
}

double Metrics::Value(const std::string& name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.value;
}

uint64_t Metrics::HistogramCount(const std::string& name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.count;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + TypeName(f.type) + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type == Type::kSummary) {
        for (const auto& [q, v] : s.quantiles) {
          out += name + FormatLabels(labels, "quantile", FormatNumber(q)) + " " + FormatNumber(v) + "\n";
        }
        out += name + "_sum" + FormatLabels(labels) + " " + FormatNumber(s.sum) + "\n";
        out += name + "_count" + FormatLabels(labels) + " " + std::to_string(s.count) + "\n";
        continue;
      }
      if (f.type != Type::kHistogram) {
        out += name + FormatLabels(labels) + " " + FormatNumber(s.value) + "\n";
        continue;
      }
      for (size_t i = 0; i < f.buckets.size(); ++i) {
        uint64_t c = i < s.bucket_counts.size() ? s.bucket_counts[i] : 0;
        out += name + "_bucket" + FormatLabels(labels, "le", FormatNumber(f.buckets[i])) + " " + std::to_string(c) + "\n";
      }
      out += name + "_bucket" + FormatLabels(labels, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
      out += name + "_sum" + FormatLabels(labels) + " " + FormatNumber(s.sum) + "\n";
      out += name + "_count" + FormatLabels(labels) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace crilet
