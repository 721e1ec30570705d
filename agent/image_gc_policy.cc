// Image GC decision: kubelet's detectImages, GarbageCollect's arithmetic and imagesInEvictionOrder.
#include "agent/image_gc_policy.h"

#include <algorithm>
#include <tuple>

namespace crilet::agent {

void DetectImages(const std::vector<cri::Image>& images, const std::set<std::string>& in_use, TimePoint now,
                  std::map<std::string, ImageRecord>* records) {
  std::set<std::string> present;
  for (const auto& image : images) {
    present.insert(image.id);
    auto [it, added] = records->try_emplace(image.id);
    ImageRecord& r = it->second;
    if (added) r.first_detected = now;
    if (in_use.count(image.id)) r.last_used = now;
    r.size = image.size;
    r.pinned = image.pinned;
  }
  for (auto it = records->begin(); it != records->end();) {
    it = present.count(it->first) ? std::next(it) : records->erase(it);
  }
}

ImageGcPlan PlanImageGc(const ImageGcPolicy& policy, int64_t capacity, int64_t available,
                        const std::map<std::string, ImageRecord>& records, TimePoint now) {
  ImageGcPlan plan;
  if (capacity <= 0) return plan;
  available = std::min(available, capacity);  // "Availability is larger than capacity"
  plan.usage_percent = 100 - static_cast<int>(available * 100 / capacity);
  plan.over_threshold = plan.usage_percent >= policy.high_threshold_percent;
  if (!plan.over_threshold) return plan;
  plan.bytes_to_free = capacity * (100 - policy.low_threshold_percent) / 100 - available;
  std::vector<std::pair<std::string, const ImageRecord*>> order;
  for (const auto& [id, r] : records) {
    if (r.pinned) continue;
    // Images in use were given this run's time as lastUsed.
    if (r.last_used >= now) continue;
    // A young image may just have been pulled for a container about to start.
    if (now - r.first_detected < policy.min_age) continue;
    order.emplace_back(id, &r);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->last_used, a.second->first_detected, a.first) <
           std::tie(b.second->last_used, b.second->first_detected, b.first);
  });
  for (const auto& [id, r] : order) plan.candidates.push_back(id);
  return plan;
}

std::vector<std::string> ImagesOverMaxAge(const ImageGcPolicy& policy, const std::map<std::string, ImageRecord>& records,
                                          TimePoint now, TimePoint began_gc) {
  std::vector<std::string> out;
  if (policy.max_age <= Duration::zero() || now - began_gc <= policy.max_age) return out;
  for (const auto& [id, r] : records) {
    if (r.pinned || r.last_used >= now) continue;  // in use this run
    if (r.last_used == TimePoint{} || now - r.last_used > policy.max_age) out.push_back(id);
  }
  return out;
}

std::string ValidateImageGcPolicy(const ImageGcPolicy& p) {
  // pkg/kubelet/apis/config/validation: each in [0, 100], low below high (unless high is 100 and GC is off).
  if (p.high_threshold_percent < 0 || p.high_threshold_percent > 100) {
    return "imageGCHighThresholdPercent (--image-gc-high-threshold) must be between 0 and 100";
  }
  if (p.low_threshold_percent < 0 || p.low_threshold_percent > 100) {
    return "imageGCLowThresholdPercent (--image-gc-low-threshold) must be between 0 and 100";
  }
  if (p.low_threshold_percent >= p.high_threshold_percent) {
    return "imageGCLowThresholdPercent (--image-gc-low-threshold) must be less than imageGCHighThresholdPercent "
           "(--image-gc-high-threshold)";
  }
  if (p.min_age < Duration::zero()) return "imageMinimumGCAge (--minimum-image-ttl-duration) must not be negative";
  if (p.max_age < Duration::zero()) return "imageMaximumGCAge must not be negative";
  if (p.max_age > Duration::zero() && p.max_age <= p.min_age) {
    return "imageMaximumGCAge must be greater than imageMinimumGCAge";
  }
  return "";
}

}  // namespace crilet::agent
