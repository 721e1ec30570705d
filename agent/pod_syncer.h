/// PodSyncer: one pod's synchronous sync (plan, then act through CRI, then status) and termination.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "agent/backoff.h"
#include "agent/checkpoint.h"
#include "agent/pod_files.h"
#include "agent/services.h"
#include "agent/status_gen.h"
#include "agent/status_store.h"
#include "agent/volume_projection.h"

namespace crilet::agent {

// Not thread-safe: its PodWorker calls it from one thread. Tests call it directly with fakes.
class PodSyncer {
 public:
  PodSyncer(const Services* env, StatusStore* store, manifests::Pod pod);

  // The same pod (same UID) with changed labels, annotations or spec.
  void SetPod(manifests::Pod pod);
  const manifests::Pod& pod() const { return pod_; }

  // Brings the runtime one step closer to the spec and publishes the status. Returns when the pod must be
  // synced again even without news (a backoff or deadline ending, an error to retry); nullopt = only on events.
  // `cancel` set (crilet stops, or the pod's removal began) means no further sandbox or container starts.
  std::optional<TimePoint> Sync(const std::atomic<bool>* cancel);

  // The pod's removal began: /pods shows it Terminating (deletionTimestamp = now + its grace period).
  void MarkTerminating();

  // Stops every container (preStop, grace period) and the sandbox, removes them, the volumes and the pod's
  // files and logs, and forgets the pod's status and events. Retryable: returns an error if something is left.
  Status Terminate(const std::atomic<bool>* cancel);

  // The container's process has exited (ExitWatcher): until the runtime shows it, re-check every 10 ms.
  void ExpectExit(const std::string& container_id);

  const std::map<std::string, StartFailure>& start_failures() const { return start_failures_; }
  const Backoff& crash_backoff() const { return crash_backoff_; }

 private:
  void SaveCheckpoint();
  void RemoveDeadInstances(const ObservedPod& obs);
  std::map<std::string, std::string> TerminationMessages(const ObservedPod& obs);
  void Publish(const ObservedPod& obs);
  void WatchExits(const ObservedPod& obs);
  std::string PodIp(const ObservedPod& obs) const;
  // Writes the configMap, secret, downwardAPI and projected volumes (a no-op for files already current).
  Status ProjectObjectVolumes(TimePoint now, std::map<std::string, std::string>* paths);
  // True when every object volume has files from an earlier write; fills their paths.
  bool ObjectVolumesWritten(std::map<std::string, std::string>* paths) const;

  const Services* env_;
  StatusStore* store_;
  manifests::Pod pod_;
  PodFiles files_;
  Backoff crash_backoff_;
  Backoff image_backoff_;
  std::map<std::string, StartFailure> start_failures_;  // by container name
  std::map<std::string, std::string> messages_;        // termination messages by container ID
  std::optional<TimePoint> start_time_;
  bool deadline_exceeded_ = false;
  bool warned_missing_dns_ = false;
  bool runtime_error_logged_ = false;
  bool start_recorded_ = false;  // crilet_pod_start_duration_seconds is observed once per pod (checkpointed)
  bool observed_once_ = false;   // the runtime was read once by this syncer (adoption is decided then)
  std::optional<PodStatus> last_status_;
  PodStatus restored_;  // the checkpoint's conditions, the `previous` status until the first publish
  std::map<std::string, ConditionTime> conditions_;  // as last checkpointed
  probes::PodResults probe_results_;  // readiness/startup of running instances, as last checkpointed
  std::map<std::string, TimePoint> expected_exits_;  // container ID -> when the exit was seen
  std::set<std::string> unwatchable_;                // containers ExitWatcher could not watch (not retried)
  PinnedObjects pinned_;                              // immutable objects as the pod's volumes first saw them
  std::set<std::string> warned_immutable_;            // edits of pinned objects already logged
  std::string last_volume_error_;                     // a running pod's last FailedMount text, not repeated
  std::map<std::string, Projection> written_volumes_;  // object volumes' files as last written, by volume name
};

}  // namespace crilet::agent
