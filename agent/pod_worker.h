/// PodWorker: one thread per pod that serializes its syncs, wakes on events or at requeue times, and terminates it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/pod_syncer.h"

namespace crilet::agent {

// Lifetime: the thread starts in the constructor and is joined by Stop() or the destructor. After
// Terminate(), the worker stops and removes the pod, then calls on_done(uid) from its own thread and exits.
class PodWorker {
 public:
  // kTerminate: the pod is not wanted (an orphan found in the runtime): never sync it, only clean it up.
  enum class Mode { kRun, kTerminate };
  PodWorker(const Services* env, StatusStore* store, manifests::Pod pod,
            std::function<void(const std::string& uid)> on_done, Mode mode = Mode::kRun);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  void Update(manifests::Pod pod);  // same UID, new content: sync soon with it
  void Wake();                      // something changed (runtime state, probe result): sync soon
  void ExitSeen(const std::string& container_id);  // a container's process exited: sync now
  void Terminate();                 // the manifest is gone: stop and remove everything
  // Shuts the worker down without touching the pod (crilet exits; pods keep running, like kubelet).
  void Stop();

  const std::string& uid() const { return uid_; }
  bool terminating() const { return terminating_.load(); }
  // The pod's name and namespace as last given to the constructor or Update(), for the worker's owner (the
  // agent, under its own lock). Not the syncer's pod: the worker thread swaps in updates to that one.
  const std::string& pod_name() const { return name_; }
  const std::string& pod_namespace() const { return namespace_; }
  std::string FullName() const { return name_ + "_" + namespace_; }  // as manifests::Pod::FullName()

 private:
  void Run();

  const Services* env_;
  std::string uid_;
  std::string name_, namespace_;  // written and read by the owner's thread only
  PodSyncer syncer_;
  std::function<void(const std::string&)> on_done_;

  std::mutex mu_;  // guards dirty_, update_ and exits_; the flags change under it so waits see them
  std::condition_variable cv_;
  bool dirty_ = true;
  std::optional<manifests::Pod> update_;
  std::vector<std::string> exits_;  // containers whose process exited, for the next sync
  std::optional<TimePoint> requeue_at_;  // only the worker thread touches it
  std::atomic<bool> terminating_{false};
  std::atomic<bool> stopping_{false};
  // Set by Terminate() and Stop(): a sync in flight starts nothing more (a restart planned before the
  // removal must not start a container during it).
  std::atomic<bool> cancel_sync_{false};
  std::thread thread_;
};

}  // namespace crilet::agent
