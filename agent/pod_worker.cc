// PodWorker: the per-pod loop around PodSyncer.
#include "agent/pod_worker.h"

#include <spdlog/spdlog.h>

namespace crilet::agent {

PodWorker::PodWorker(const Services* env, StatusStore* store, manifests::Pod pod,
                     std::function<void(const std::string& uid)> on_done, Mode mode)
    : env_(env),
      uid_(pod.metadata.uid),
      name_(pod.metadata.name),
      namespace_(pod.metadata.namespace_),
      syncer_(env, store, std::move(pod)),
      on_done_(std::move(on_done)),
      terminating_(mode == Mode::kTerminate) {
  thread_ = std::thread([this] { Run(); });
}

PodWorker::~PodWorker() { Stop(); }

void PodWorker::Update(manifests::Pod pod) {
  name_ = pod.metadata.name;
  namespace_ = pod.metadata.namespace_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    update_ = std::move(pod);
    dirty_ = true;
  }
  cv_.notify_one();
}

void PodWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  cv_.notify_one();
}

void PodWorker::ExitSeen(const std::string& container_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    exits_.push_back(container_id);
    dirty_ = true;
  }
  cv_.notify_one();
}

void PodWorker::Terminate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    terminating_ = true;
    cancel_sync_ = true;
  }
  cv_.notify_one();
}

void PodWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancel_sync_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PodWorker::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [&] { return stopping_ || terminating_ || dirty_; };
      if (requeue_at_) {
        // Wait on the steady clock for the wall-clock requeue time (the clock may be a test's).
        auto delay = *requeue_at_ - env_->clock->Now();
        cv_.wait_for(lock, std::max<Duration>(delay, Duration{0}), ready);
      } else {
        cv_.wait(lock, ready);
      }
      if (stopping_) return;
      if (terminating_) break;
      if (update_) {
        syncer_.SetPod(std::move(*update_));
        update_.reset();
      }
      for (const auto& id : exits_) syncer_.ExpectExit(id);
      exits_.clear();
      dirty_ = false;
    }
    auto started = std::chrono::steady_clock::now();
    requeue_at_ = syncer_.Sync(&cancel_sync_);
    if (env_->metrics) {
      env_->metrics->Observe("crilet_pod_sync_duration_seconds", {},
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }
  // Terminate: retry until everything is gone, unless crilet itself is shutting down.
  if (!stopping_) syncer_.MarkTerminating();
  auto retry = std::chrono::milliseconds(500);
  while (!stopping_) {
    Status s = syncer_.Terminate(&stopping_);
    if (s.ok()) break;
    spdlog::error("{}/{}: cleaning up: {}; retrying", syncer_.pod().metadata.namespace_, syncer_.pod().metadata.name,
                  s.message());
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, retry, [&] { return stopping_.load(); });
    retry = std::min<std::chrono::milliseconds>(retry * 2, std::chrono::seconds(10));
  }
  if (!stopping_ && on_done_) on_done_(uid_);
}

}  // namespace crilet::agent
