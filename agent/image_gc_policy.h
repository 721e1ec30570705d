/// Kubelet's image garbage collection decision (pkg/kubelet/images/image_gc_manager.go): which images to remove,
/// those unused for longer than the maximum age, then least recently used first while the image filesystem is over
/// the high threshold; pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "cri/types.h"

namespace crilet::agent {

// KubeletConfiguration imageGCHighThresholdPercent, imageGCLowThresholdPercent, imageMinimumGCAge,
// imageMaximumGCAge (kubelet 1.30+; 0 = off).
struct ImageGcPolicy {
  int high_threshold_percent = 85;
  int low_threshold_percent = 80;
  Duration min_age = std::chrono::minutes(2);
  Duration max_age = Duration::zero();
};

// What the manager remembers of an image between runs (kubelet's imageRecord), kept in memory only: after a
// restart every image is first detected again, so nothing is removed before min_age has passed.
struct ImageRecord {
  uint64_t size = 0;
  TimePoint first_detected;
  TimePoint last_used;  // the last run that found a container (any state) using it; TimePoint{}: never
  bool pinned = false;  // the runtime's Image.pinned: never removed
};

// kubelet's detectImages: records new images (first detected now), marks the ones in use (by image ID) as used
// now, forgets the ones the runtime no longer has.
void DetectImages(const std::vector<cri::Image>& images, const std::set<std::string>& in_use, TimePoint now,
                  std::map<std::string, ImageRecord>* records);

struct ImageGcPlan {
  int usage_percent = 0;       // 100 - available*100/capacity, as kubelet rounds it
  bool over_threshold = false;  // usage_percent >= high threshold
  int64_t bytes_to_free = 0;    // down to the low threshold
  // The images that may go, in kubelet's eviction order (last used, then first detected, oldest first): not in
  // use this run, not pinned, first detected at least min_age ago. The runner removes them in this order until
  // bytes_to_free are freed; empty when not over the threshold.
  std::vector<std::string> candidates;
};

// capacity and available are the image filesystem's bytes; capacity 0 is kubelet's "invalid capacity 0 on image
// filesystem" (the caller reports it) and plans nothing.
ImageGcPlan PlanImageGc(const ImageGcPolicy& policy, int64_t capacity, int64_t available,
                        const std::map<std::string, ImageRecord>& records, TimePoint now);

// kubelet's freeOldImages: with a maximum age set and crilet's GC running for longer than it (began_gc: when the
// loop started; kubelet waits so that a restart, which forgets every lastUsed, removes nothing early), the images
// not used for longer than the maximum age, whatever the disk usage: not in use this run and not pinned. An image
// never used counts as last used at the beginning of time, as kubelet's zero time: it goes too. Sorted by ID.
std::vector<std::string> ImagesOverMaxAge(const ImageGcPolicy& policy, const std::map<std::string, ImageRecord>& records,
                                          TimePoint now, TimePoint began_gc);

// kubelet's validation of the two thresholds and the ages; "" when fine.
std::string ValidateImageGcPolicy(const ImageGcPolicy& policy);

}  // namespace crilet::agent
