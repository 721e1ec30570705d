// ImageGcManager: the I/O around ImagesOverMaxAge and PlanImageGc: list, read the image filesystem, remove.
#include "agent/image_gc.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "common/duration.h"

namespace crilet::agent {

Status RealStatFs(const std::string& path, FsSpace* out) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return Status::NotFound("statvfs " + path + ": " + std::strerror(errno));
  out->capacity = static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize);
  out->available = static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  return Status::Ok();
}

ImageGcManager::ImageGcManager(ImageGcOptions options, cri::Runtime* runtime, const Clock* clock, EventSink* events,
                               Metrics* metrics, StatFs stat_fs)
    : options_(std::move(options)),
      runtime_(runtime),
      clock_(clock),
      events_(events),
      metrics_(metrics),
      stat_fs_(std::move(stat_fs)),
      began_gc_(clock->Now()) {
  if (metrics_) {
    metrics_->Declare("crilet_image_garbage_collected_total", Metrics::Type::kCounter,
                      "Images removed by image garbage collection (kubelet_image_garbage_collected_total)");
  }
}

ImageGcManager::~ImageGcManager() { Stop(); }

void ImageGcManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void ImageGcManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ImageGcManager::Loop() {
  while (true) {
    Status s = GarbageCollect();
    if (!s.ok()) {
      // kubelet: the first failure may be stats not being ready yet; an event only for repeated failures.
      if (previous_failed_) {
        spdlog::error("Image garbage collection failed multiple times in a row: {}", s.message());
        if (events_) events_->Record(EventKey(), "Warning", "ImageGCFailed", s.message(), "");
      } else {
        spdlog::error("Image garbage collection failed once. Stats initialization may not have completed yet: {}",
                      s.message());
      }
    }
    previous_failed_ = !s.ok();
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, options_.period, [&] { return stopping_; })) return;
  }
}

Status ImageGcManager::ImageFsSpace(FsSpace* out) {
  // kubelet's ImageFsStats: the runtime names the image filesystem (its mountpoint); capacity and available come
  // from the file system itself.
  std::vector<cri::FilesystemUsage> fs;
  std::string path = options_.fallback_image_fs;
  if (Status s = runtime_->ImageFsInfo(&fs); s.ok() && !fs.empty() && !fs.front().mountpoint.empty()) {
    path = fs.front().mountpoint;
  }
  return stat_fs_(path, out);
}

Status ImageGcManager::Remove(const std::string& id, const std::vector<cri::Image>& images, const char* reason,
                              const std::string& why) {
  const ImageRecord record = records_[id];
  std::string names;
  for (const auto& image : images) {
    if (image.id != id) continue;
    for (const auto& tag : image.repo_tags) names += (names.empty() ? "" : ", ") + tag;
  }
  spdlog::info("Removing image to free bytes: imageID {} ({}), size {}, reason {}", id,
               names.empty() ? "untagged" : names, record.size, reason);
  if (Status s = runtime_->RemoveImage(id); !s.ok()) return s;
  records_.erase(id);
  if (events_) {
    // kubelet only logs and counts a removal; crilet also records it, so `crilet get events` shows what went.
    events_->Record(EventKey(), "Normal", "ImageGarbageCollected",
                    "Removed unused image " + (names.empty() ? id : names) + " (" + id + ", " +
                        std::to_string(record.size) + " bytes) " + why,
                    "");
  }
  if (metrics_) metrics_->Add("crilet_image_garbage_collected_total", {{"reason", reason}});
  return Status::Ok();
}

Status ImageGcManager::GarbageCollect() {
  std::lock_guard<std::mutex> lock(records_mu_);
  TimePoint now = clock_->Now();
  std::vector<cri::Image> images;
  if (Status s = runtime_->ListImages(&images); !s.ok()) return s;
  // Every container the runtime has, exited ones included, keeps its image in use (kubelet: GetPods(all)).
  std::vector<cri::Container> containers;
  if (Status s = runtime_->ListContainers({}, &containers); !s.ok()) return s;
  std::set<std::string> in_use;
  for (const auto& c : containers) {
    if (!c.image_ref.empty()) in_use.insert(c.image_ref);
    if (!c.image.empty()) in_use.insert(c.image);
  }
  if (!options_.sandbox_image.empty()) {
    std::optional<cri::Image> sandbox;
    if (runtime_->ImageStatus(options_.sandbox_image, &sandbox).ok() && sandbox) in_use.insert(sandbox->id);
  }
  DetectImages(images, in_use, now, &records_);

  // kubelet's freeOldImages runs first, whatever the disk usage; failed removals fail the run after the others.
  std::string age_errors;
  for (const auto& id : ImagesOverMaxAge(options_.policy, records_, now, began_gc_)) {
    if (Status s = Remove(id, images, "age", "unused for longer than imageMaximumGCAge " +
                                                 FormatDuration(options_.policy.max_age));
        !s.ok()) {
      age_errors += (age_errors.empty() ? "" : "; ") + s.message();
    }
  }
  if (!age_errors.empty()) return Status::Internal("removing images over imageMaximumGCAge: " + age_errors);

  FsSpace space;
  if (Status s = ImageFsSpace(&space); !s.ok()) return Status(s.code(), "image filesystem: " + s.message());
  if (space.capacity == 0) {
    std::string msg = "invalid capacity 0 on image filesystem";
    if (events_) events_->Record(EventKey(), "Warning", "InvalidDiskCapacity", msg, "");
    return Status::Internal(msg);
  }
  ImageGcPlan plan = PlanImageGc(options_.policy, space.capacity, space.available, records_, now);
  if (!plan.over_threshold) return Status::Ok();
  spdlog::info("Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low "
               "threshold: usage {}%, highThreshold {}%, amountToFree {}, lowThreshold {}%",
               plan.usage_percent, options_.policy.high_threshold_percent, plan.bytes_to_free,
               options_.policy.low_threshold_percent);
  int64_t freed = 0;
  std::vector<std::string> errors;
  for (const auto& id : plan.candidates) {
    if (freed >= plan.bytes_to_free) break;
    const uint64_t size = records_[id].size;
    if (Status s = Remove(id, images, "space", "to free space on the image filesystem"); !s.ok()) {
      errors.push_back(s.message());
      continue;
    }
    freed += static_cast<int64_t>(size);
  }
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
    return Status::Internal("wanted to free " + std::to_string(plan.bytes_to_free) + " bytes, but freed " +
                            std::to_string(freed) + " bytes space with errors in image deletion: " + all);
  }
  if (freed < plan.bytes_to_free) {
    std::string msg = "Failed to garbage collect required amount of images. Attempted to free " +
                      std::to_string(plan.bytes_to_free) + " bytes, but only found " + std::to_string(freed) +
                      " bytes eligible to free.";
    if (events_) events_->Record(EventKey(), "Warning", "FreeDiskSpaceFailed", msg, "");
    return Status::Internal(msg);
  }
  return Status::Ok();
}

}  // namespace crilet::agent
