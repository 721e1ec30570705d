/// ImageGcManager: kubelet's image garbage collection loop: every period (5 minutes) it detects the images, removes
/// those unused for longer than imageMaximumGCAge (ImagesOverMaxAge) and, when the image filesystem is over the
/// high threshold, removes unused ones (PlanImageGc) until it is below the low threshold.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "agent/image_gc_policy.h"
#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "common/status.h"
#include "cri/runtime.h"

namespace crilet::agent {

struct FsSpace {
  int64_t capacity = 0;   // bytes
  int64_t available = 0;  // bytes an unprivileged writer may still use (statvfs f_bavail, as cAdvisor)
};
// statvfs(2) of the file system holding `path`.
using StatFs = std::function<Status(const std::string& path, FsSpace* out)>;
Status RealStatFs(const std::string& path, FsSpace* out);

struct ImageGcOptions {
  ImageGcPolicy policy;
  Duration period = std::chrono::minutes(5);  // kubelet's ImageGCPeriod
  // The pod sandbox (pause) image (--pod-infra-container-image): in use whether or not a container names it,
  // as kubelet's detectImages treats it (the runtime does not pin it before containerd 1.7).
  std::string sandbox_image;
  // statvfs'd when the runtime's ImageFsInfo reports no image filesystem (containerd's default root).
  std::string fallback_image_fs = "/var/lib/containerd";
  std::string node_name;  // for events ("node/<name>")
};

// Lifetime: construct, Start() (first run at once, as kubelet's wait.Until), Stop() joins the thread. The
// runtime, clock, events and metrics (may be null) must outlive it.
class ImageGcManager {
 public:
  ImageGcManager(ImageGcOptions options, cri::Runtime* runtime, const Clock* clock, EventSink* events,
                 Metrics* metrics, StatFs stat_fs = RealStatFs);
  ~ImageGcManager();
  ImageGcManager(const ImageGcManager&) = delete;
  ImageGcManager& operator=(const ImageGcManager&) = delete;

  void Start();
  void Stop();

  // One run: kubelet's GarbageCollect. An error when the image filesystem cannot be read, a removal failed, or
  // less than needed could be freed (then also a FreeDiskSpaceFailed event). The maximum age counts from the
  // manager's construction (kubelet's beganGC, when its GC loop starts).
  Status GarbageCollect();

  // The key events about the node are recorded under.
  std::string EventKey() const { return "node/" + options_.node_name; }

 private:
  void Loop();
  Status ImageFsSpace(FsSpace* out);
  // records_mu_ held: removes one image, with its log line, event and metric; `why` ends the event's message.
  Status Remove(const std::string& id, const std::vector<cri::Image>& images, const char* reason, const std::string& why);

  const ImageGcOptions options_;
  cri::Runtime* runtime_;
  const Clock* clock_;
  EventSink* events_;
  Metrics* metrics_;
  StatFs stat_fs_;
  const TimePoint began_gc_;
  std::mutex records_mu_;  // guards records_ (one run at a time)
  std::map<std::string, ImageRecord> records_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  bool previous_failed_ = false;  // only the loop thread touches it
  std::thread thread_;
};

}  // namespace crilet::agent
