/// Agent: crilet's coordinator: desired pods in, one PodWorker per pod, relist of CRI state, orphan cleanup.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/admission.h"
#include "agent/events.h"
#include "agent/cgroup_fs.h"
#include "agent/hooks.h"
#include "agent/image_gc.h"
#include "agent/pod_cgroup_manager.h"
#include "agent/options.h"
#include "agent/pod_worker.h"
#include "agent/runtime_state.h"
#include "agent/services.h"
#include "agent/status_store.h"
#include "agent/runtime_health.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "cri/runtime.h"
#include "manifests/pod.h"
#include "probes/prober.h"

namespace crilet::agent {

// Lifetime: construct, Start(), feed SetDesiredPods() from the manifest sources, Stop() (pods keep
// running). Every pointer given to the constructor must outlive the Agent.
class Agent {
 public:
  Agent(AgentOptions options, cri::Runtime* runtime, const Clock* clock, Metrics* metrics, HttpHookClient http_hooks);
  ~Agent();

  // Late-bound so the prober can be built with the agent's event recorder; call before Start().
  void SetProber(probes::Prober* prober) { services_.prober = prober; }
  // Where containers' env finds ConfigMaps and Secrets (PodConfig::Objects); set before pods are added.
  void SetObjectSource(std::function<manifests::LocalObjects()> objects) { services_.objects = std::move(objects); }
  // Replaces the node's pull credentials (by default the docker config files in kubelet's search paths);
  // *credentials must outlive the Agent. Call before Start().
  void SetNodeCredentials(NodeCredentials* credentials) { services_.node_credentials = credentials; }
  // Where persistentVolumeClaim volumes are bound (outlives the Agent); call before Start().
  void SetClaimVolumes(ClaimVolumes* claims) { services_.claims = claims; }
  EventRecorder* events() { return &events_; }
  // Events about the node (image garbage collection), for /events.
  std::vector<Event> NodeEvents() const;
  StatusStore* statuses() { return &store_; }
  // The node's capacity as admission and the QoS cgroups use it, and whether the pod cgroups took effect.
  int64_t node_cpu_milli() const { return services_.node_cpu_milli; }
  int64_t node_memory_bytes() const { return services_.node_memory_bytes; }
  bool pod_cgroups_active() const { return services_.cgroups != nullptr; }
  // Why the node's resources cannot be set up as configured (reservations above capacity, a kube-reserved or
  // system-reserved cgroup that cannot be enforced), in kubelet's words; "" when fine. Kubelet does not start
  // then, and neither does crilet run: check it before Start().
  const std::string& startup_error() const { return startup_error_; }

  void Start();
  void Stop();

  // The complete desired set (all sources). Pods are matched by UID: new ones start, missing ones are
  // terminated, changed ones are updated. A new UID whose name an old pod still holds waits for it.
  // `sources_ready` false (the manifest URL never answered yet) holds back orphan cleanup, as kubelet's
  // sourcesReady does: a pod the URL declared before a restart is not an orphan just because it is unknown.
  void SetDesiredPods(std::vector<manifests::Pod> pods, bool sources_ready = true);
  // A pod's probe results changed: sync it soon.
  void PodChanged(const std::string& uid);
  // A container's process exited (ExitWatcher): sync its pod now.
  void ContainerExited(const std::string& uid, const std::string& container_id);

  // False while the last relist failed or a relist call has waited longer than options.runtime_stall;
  // *why says why.
  bool RuntimeHealthy(std::string* why) const;
  // Before Start(): the runtime could not be reached yet (shown by /healthz).
  void SetRuntimeError(const std::string& why);

 private:
  void RelistLoop();
  void Relist();
  // Admits the pod (AdmitPod against the active pods) and starts its worker, or publishes it as rejected.
  void StartWorkerLocked(const manifests::Pod& pod);
  std::vector<const manifests::Pod*> ActivePodsLocked() const;
  void OnWorkerDone(const std::string& uid);
  // One warning per other crilet instance whose pods share the runtime (at the first relist).
  void ReportOtherInstances(const std::vector<cri::Sandbox>& sandboxes);
  // Whether an unwanted pod in the runtime is this instance's to remove (see SandboxOwnership).
  bool OwnsPod(const std::string& uid, const std::vector<cri::Sandbox>& sandboxes) const;
  void CleanupOrphan(const std::string& uid, const std::vector<cri::Sandbox>& sandboxes,
                     const std::vector<cri::Container>& containers);

  EventRecorder events_;
  ExitWatcher exit_watcher_;
  StatusStore store_;
  RuntimeStateReader reader_;
  HookRunner hooks_;
  RealCredentialFileReader credential_files_;
  std::unique_ptr<NodeCredentials> node_credentials_;  // the default of services_.node_credentials
  Services services_;
  std::unique_ptr<CgroupFs> cgroup_fs_;
  std::unique_ptr<PodCgroupManager> cgroups_;     // services_.cgroups when --cgroups-per-qos took effect
  std::unique_ptr<ImageGcManager> image_gc_;      // when options.image_gc

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  bool have_desired_ = false;  // orphans are only removed once the sources delivered a first set
  bool sources_ready_ = false;  // ... and every source has answered
  std::map<std::string, manifests::Pod> desired_;                // by UID
  manifests::LocalObjects last_objects_;  // as the last SetDesiredPods saw them: a change wakes every worker
  std::map<std::string, std::unique_ptr<PodWorker>> workers_;    // by UID, live or terminating
  std::map<std::string, manifests::Pod> admitted_;               // the pods of workers_, for admission
  std::map<std::string, manifests::Pod> rejected_;               // desired but refused by admission: Failed
  NodeInfo node_;
  std::string startup_error_;
  std::vector<std::unique_ptr<PodWorker>> finished_;             // joined on the relist thread
  std::map<std::string, std::string> fingerprints_;              // runtime state per UID at the last relist
  std::map<std::string, std::unique_ptr<PodWorker>> orphans_;    // cleanups in flight
  RuntimeHealth health_;
  bool reported_other_instances_ = false;
  std::thread relist_thread_;
};

}  // namespace crilet::agent
