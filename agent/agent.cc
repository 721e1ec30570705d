// Agent: routes desired pods to workers, relists CRI state to wake them, removes orphans.
#include "agent/agent.h"

#include <spdlog/spdlog.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "agent/labels.h"
#include "agent/sandbox_config.h"
#include "common/logging.h"
#include "manifests/static_pod.h"

namespace crilet::agent {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

// kubelet's pidlimit.Stats: the system-wide task limit is the smaller of kernel.pid_max and kernel.threads-max.
int64_t TaskLimit() {
  int64_t limit = 0;
  for (const char* path : {"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"}) {
    std::ifstream in(path);
    int64_t v = 0;
    if (in >> v && v > 0 && (limit == 0 || v < limit)) limit = v;
  }
  return limit;
}

// The root dir as it is written into sandbox labels: absolute and canonical, so that "./root" and
// "/abs/root" name the same instance across restarts.
std::string CanonicalRootDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(dir, ec);
  if (ec) return dir;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(abs, ec);
  return ec ? abs.lexically_normal().string() : canonical.string();
}

std::string Label(const cri::Labels& l, const char* key) {
  auto it = l.find(key);
  return it == l.end() ? "" : it->second;
}

}  // namespace

Agent::Agent(AgentOptions options, cri::Runtime* runtime, const Clock* clock, Metrics* metrics,
             HttpHookClient http_hooks)
    : events_(clock),
      exit_watcher_([this](const std::string& uid, const std::string& id) { ContainerExited(uid, id); }),
      store_(&events_),
      reader_(runtime, CanonicalRootDir(options.root_dir)),
      hooks_(runtime, std::move(http_hooks)) {
  services_.runtime = runtime;
  services_.clock = clock;
  services_.events = &events_;
  services_.reader = &reader_;
  services_.hooks = &hooks_;
  services_.metrics = metrics;
  services_.options = std::move(options);
  services_.options.root_dir = CanonicalRootDir(services_.options.root_dir);
  services_.exit_watcher = services_.options.watch_exits ? &exit_watcher_ : nullptr;
  {
    // kubelet's credential search paths, the root dir first (SetPreferredDockercfgPath(rootDirectory)).
    std::error_code ec;
    std::string cwd = std::filesystem::current_path(ec).string();
    const char* home = std::getenv("HOME");
    node_credentials_ = std::make_unique<NodeCredentials>(
        &credential_files_, clock, NodeCredentialPaths(services_.options.root_dir, cwd, home ? home : ""));
    services_.node_credentials = node_credentials_.get();
  }
  services_.node_hosts = ReadFile("/etc/hosts");
  NodeCapacity capacity;
  capacity.cpu_milli = services_.options.node_cpu_milli > 0
                           ? services_.options.node_cpu_milli
                           : static_cast<int64_t>(std::thread::hardware_concurrency()) * 1000;
  capacity.memory_bytes = services_.options.node_memory_bytes > 0 ? services_.options.node_memory_bytes : MemTotalBytes();
  capacity.pids = services_.options.node_pids > 0 ? services_.options.node_pids : TaskLimit();
  const NodeAllocatableConfig& reserved = services_.options.node_allocatable;
  // kubelet's validateNodeAllocatable, before anything is created.
  startup_error_ = ValidateReservations(capacity, reserved);
  NodeCapacity allocatable = NodeAllocatable(capacity, reserved);
  // Downward API limits of unset limits and admission read allocatable; oom_score_adj reads the capacity.
  services_.node_cpu_milli = allocatable.cpu_milli;
  services_.node_memory_bytes = capacity.memory_bytes;
  services_.node_allocatable_memory_bytes = allocatable.memory_bytes;
  struct utsname uts {};
  node_.name = services_.options.node_name;
  node_.labels = NodeLabels(services_.options.node_name, GoArch(uname(&uts) == 0 ? uts.machine : ""),
                            services_.options.node_labels);
  // Allocatable = capacity - kubeReserved - systemReserved - the hard eviction threshold, as kubelet admits pods.
  node_.allocatable_cpu_milli = allocatable.cpu_milli;
  node_.allocatable_memory_bytes = allocatable.memory_bytes;
  if (services_.options.cgroups_per_qos && startup_error_.empty()) {
    PodCgroupConfig config;
    config.cgroup_root = services_.options.cgroup_parent.empty() ? "/" : services_.options.cgroup_parent;
    config.driver = ParseCgroupDriver(services_.options.cgroup_driver).value_or(CgroupDriver::kCgroupfs);
    config.node_allocatable = NodeAllocatableCgroupResources(capacity, reserved);
    config.reserved_cgroups = ReservedCgroupsToEnforce(reserved);
    config.pod_pids_limit = services_.options.pod_pids_limit;
    cgroup_fs_ = std::make_unique<RealCgroupFs>();
    cgroups_ = std::make_unique<PodCgroupManager>(config, cgroup_fs_.get());
    std::string why;
    if (cgroups_->Start(&why)) {
      services_.cgroups = cgroups_.get();
      if (Status s = cgroups_->EnforceReservedCgroups(); !s.ok()) startup_error_ = s.message();
    } else {
      // kubelet refuses to start here; crilet runs its pods as with --cgroups-per-qos=false instead.
      spdlog::warn("--cgroups-per-qos: {}; pods run without QoS cgroups, under {}", why,
                   services_.options.cgroup_parent.empty() ? "the runtime's default cgroup parent"
                                                           : services_.options.cgroup_parent);
    }
  }
  if (services_.options.image_gc) {
    ImageGcOptions gc;
    gc.policy.high_threshold_percent = services_.options.image_gc_high_threshold_percent;
    gc.policy.low_threshold_percent = services_.options.image_gc_low_threshold_percent;
    gc.policy.min_age = services_.options.image_minimum_gc_age;
    gc.policy.max_age = services_.options.image_maximum_gc_age;
    gc.period = services_.options.image_gc_period;
    gc.sandbox_image = services_.options.pod_infra_container_image;
    gc.node_name = services_.options.node_name;
    image_gc_ = std::make_unique<ImageGcManager>(gc, runtime, clock, &events_, metrics);
    events_.SetPodName(image_gc_->EventKey(), image_gc_->EventKey());
  }
}

std::vector<Event> Agent::NodeEvents() const {
  return image_gc_ ? events_.Events(image_gc_->EventKey()) : std::vector<Event>{};
}

Agent::~Agent() { Stop(); }

void Agent::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  exit_watcher_.Start();
  relist_thread_ = std::thread([this] { RelistLoop(); });
  if (image_gc_) image_gc_->Start();
}

void Agent::Stop() {
  std::map<std::string, std::unique_ptr<PodWorker>> workers, orphans;
  std::vector<std::unique_ptr<PodWorker>> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    workers.swap(workers_);
    orphans.swap(orphans_);
    finished.swap(finished_);
  }
  cv_.notify_all();
  if (relist_thread_.joinable()) relist_thread_.join();
  if (image_gc_) image_gc_->Stop();
  // Workers may call OnWorkerDone while stopping; it sees stopping_ and leaves the maps alone.
  for (auto& [uid, w] : workers) w->Stop();
  for (auto& [uid, w] : orphans) w->Stop();
  for (auto& w : finished) w->Stop();
  exit_watcher_.Stop();
}

std::vector<const manifests::Pod*> Agent::ActivePodsLocked() const {
  // Kubelet counts every admitted pod that is not in a terminal phase, terminating ones included.
  std::vector<const manifests::Pod*> out;
  for (const auto& [uid, pod] : admitted_) {
    auto st = store_.Status(uid);
    if (st && (st->phase == "Succeeded" || st->phase == "Failed")) continue;
    out.push_back(&pod);
  }
  return out;
}

void Agent::StartWorkerLocked(const manifests::Pod& pod) {
  Admission admission = AdmitPod(pod, node_, ActivePodsLocked());
  if (!admission.admitted) {
    // Kubelet's rejectPod: an event, and the pod Failed with the reason; it never gets a sandbox.
    spdlog::warn("{}/{}: pod rejected (uid {}, from {}): {}: {}", pod.metadata.namespace_, pod.metadata.name,
                 pod.metadata.uid, pod.source.path, admission.reason, admission.message);
    events_.SetPodName(pod.metadata.uid, pod.metadata.namespace_ + "/" + pod.metadata.name);
    events_.Record(pod.metadata.uid, "Warning", admission.reason, admission.message, "");
    PodStatus status;
    status.phase = "Failed";
    status.reason = admission.reason;
    status.message = "Pod was rejected: " + admission.message;
    status.host_ip = services_.options.node_ip;
    store_.Set(pod, status);
    rejected_[pod.metadata.uid] = pod;
    return;
  }
  admitted_[pod.metadata.uid] = pod;
  spdlog::info("{}/{}: adding pod (uid {}, from {})", pod.metadata.namespace_, pod.metadata.name, pod.metadata.uid,
               pod.source.path);
  workers_[pod.metadata.uid] = std::make_unique<PodWorker>(&services_, &store_, pod,
                                                           [this](const std::string& uid) { OnWorkerDone(uid); });
}

void Agent::SetDesiredPods(std::vector<manifests::Pod> pods, bool sources_ready) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  have_desired_ = true;
  sources_ready_ = sources_ready;
  std::map<std::string, manifests::Pod> next;
  for (auto& p : pods) next[p.metadata.uid] = std::move(p);
  for (auto& [uid, w] : workers_) {
    if (!next.count(uid) && !w->terminating()) {
      spdlog::info("{}/{}: removing pod (uid {})", w->pod_namespace(), w->pod_name(), uid);
      w->Terminate();
    }
  }
  // A rejected pod stays rejected (it is Failed) until its manifest goes away.
  for (auto it = rejected_.begin(); it != rejected_.end();) {
    if (next.count(it->first)) {
      ++it;
      continue;
    }
    store_.Remove(it->first);
    events_.Forget(it->first);
    it = rejected_.erase(it);
  }
  // New pods are admitted in manifest order (kubelet: by creation time), so which one a full node refuses
  // does not depend on UIDs.
  std::vector<const manifests::Pod*> ordered;
  for (const auto& [uid, pod] : next) ordered.push_back(&pod);
  std::sort(ordered.begin(), ordered.end(), [](const manifests::Pod* a, const manifests::Pod* b) {
    return std::tie(a->source.path, a->source.document, a->metadata.uid) <
           std::tie(b->source.path, b->source.document, b->metadata.uid);
  });
  for (const manifests::Pod* p : ordered) {
    const std::string& uid = p->metadata.uid;
    const manifests::Pod& pod = *p;
    if (rejected_.count(uid)) continue;
    auto it = workers_.find(uid);
    if (it != workers_.end()) {
      auto old = desired_.find(uid);
      if (old == desired_.end() || !(old->second == pod)) {
        // Kubelet's "SyncLoop UPDATE" (-v 2): the same pod (UID) with changed labels or annotations.
        if (V(2)) spdlog::debug("{}/{}: updating pod (uid {})", pod.metadata.namespace_, pod.metadata.name, uid);
        it->second->Update(pod);
        admitted_[uid] = pod;
      }
      continue;
    }
    // Kubelet starts a static pod only when no other pod of the same full name is still running or stopping.
    bool name_taken = false;
    for (const auto& [other_uid, w] : workers_) {
      if (w->FullName() == pod.FullName()) name_taken = true;
    }
    if (!name_taken) StartWorkerLocked(pod);
  }
  desired_ = std::move(next);
  // A ConfigMap or Secret changed: pods waiting for it start now, and volumes of running pods are rewritten
  // (PodSyncer::ProjectObjectVolumes) without waiting for other news.
  if (services_.objects) {
    manifests::LocalObjects objects = services_.objects();
    if (!(objects == last_objects_)) {
      for (auto& [uid, w] : workers_) {
        if (!w->terminating()) w->Wake();
      }
      last_objects_ = std::move(objects);
    }
  }
}

void Agent::OnWorkerDone(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  // The worker calls this from its own thread: hand it to the relist thread to join.
  for (auto* map : {&workers_, &orphans_}) {
    auto it = map->find(uid);
    if (it != map->end()) {
      finished_.push_back(std::move(it->second));
      map->erase(it);
    }
  }
  admitted_.erase(uid);
  // A pod waiting for its name may start now.
  for (const auto& [desired_uid, pod] : desired_) {
    if (workers_.count(desired_uid) || rejected_.count(desired_uid)) continue;
    bool name_taken = false;
    for (const auto& [other, w] : workers_) {
      if (w->FullName() == pod.FullName()) name_taken = true;
    }
    if (!name_taken) StartWorkerLocked(pod);
  }
  cv_.notify_all();
}

void Agent::PodChanged(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workers_.find(uid);
  if (it != workers_.end()) it->second->Wake();
}

void Agent::ContainerExited(const std::string& uid, const std::string& container_id) {
  // Kubelet's "SyncLoop (PLEG): event for pod" is a -v 2 state change.
  if (V(2)) spdlog::debug("container {} of pod {} exited", container_id.substr(0, 13), uid);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workers_.find(uid);
  if (it != workers_.end()) it->second->ExitSeen(container_id);
}

bool Agent::RuntimeHealthy(std::string* why) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string reason = RuntimeUnhealthyReason(health_, services_.clock->Now(), services_.options.runtime_stall,
                                              services_.options.runtime_endpoint);
  if (why) *why = reason;
  return reason.empty();
}

void Agent::SetRuntimeError(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  health_.error = why;
}

void Agent::RelistLoop() {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    std::vector<std::unique_ptr<PodWorker>> finished;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next, [&] { return stopping_ || !finished_.empty(); });
      if (stopping_) return;
      finished.swap(finished_);
    }
    for (auto& w : finished) w->Stop();  // joins the exited thread
    finished.clear();
    if (std::chrono::steady_clock::now() < next) continue;
    auto started = std::chrono::steady_clock::now();
    Relist();
    if (services_.metrics) {
      services_.metrics->Observe("crilet_relist_duration_seconds", {},
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    next = std::chrono::steady_clock::now() + services_.options.relist_period;
  }
}

void Agent::Relist() {
  std::vector<cri::Sandbox> sandboxes;
  std::vector<cri::Container> containers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    health_.call_started = services_.clock->Now();
  }
  Status s = services_.runtime->ListPodSandbox({}, &sandboxes);
  if (s.ok()) s = services_.runtime->ListContainers({}, &containers);
  {
    std::lock_guard<std::mutex> lock(mu_);
    health_.call_started.reset();
    std::string why = s.ok() ? "" : "cannot reach container runtime at " + services_.options.runtime_endpoint + ": " + s.message();
    // One line when an outage begins and one when it ends, however its messages vary meanwhile.
    std::string line = RuntimeTransitionLine(health_.error, why, services_.options.runtime_endpoint);
    if (!line.empty() && !why.empty()) spdlog::error("{}", line);
    if (!line.empty() && why.empty()) spdlog::info("{}", line);
    if (line.empty() && !why.empty() && why != health_.error && V(2)) spdlog::debug("{}", why);
    health_.error = why;
    if (!s.ok()) return;
  }
  if (services_.cgroups) services_.cgroups->RetryRemovals();

  // Group by pod UID and fingerprint what the pod holds: a change wakes its worker.
  std::map<std::string, std::string> prints;
  std::map<std::string, std::vector<cri::Sandbox>> pod_sandboxes;
  std::map<std::string, std::vector<cri::Container>> pod_containers;
  for (const auto& sb : sandboxes) {
    std::string uid = Label(sb.labels, kPodUidLabel);
    if (uid.empty()) continue;
    prints[uid] += "s" + sb.id + ":" + std::to_string(static_cast<int>(sb.state)) + ";";
    pod_sandboxes[uid].push_back(sb);
  }
  for (const auto& c : containers) {
    std::string uid = Label(c.labels, kPodUidLabel);
    if (uid.empty()) continue;
    prints[uid] += "c" + c.id + ":" + std::to_string(static_cast<int>(c.state)) + ";";
    pod_containers[uid].push_back(c);
  }

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [uid, w] : workers_) {
    auto now_it = prints.find(uid);
    auto old_it = fingerprints_.find(uid);
    std::string now_print = now_it == prints.end() ? "" : now_it->second;
    std::string old_print = old_it == fingerprints_.end() ? "" : old_it->second;
    if (now_print != old_print) w->Wake();
  }
  fingerprints_ = prints;
  if (!reported_other_instances_) {
    reported_other_instances_ = true;
    ReportOtherInstances(sandboxes);
  }
  if (!have_desired_ || !sources_ready_) return;
  for (const auto& [uid, print] : prints) {
    if (workers_.count(uid) || orphans_.count(uid) || desired_.count(uid)) continue;
    CleanupOrphan(uid, pod_sandboxes[uid], pod_containers[uid]);
  }
}

void Agent::ReportOtherInstances(const std::vector<cri::Sandbox>& sandboxes) {
  std::map<std::string, std::set<std::string>> pods_by_root;  // other instance's root dir -> pod UIDs
  for (const auto& sb : sandboxes) {
    std::string other;
    if (SandboxOwnership(sb.labels, services_.options.root_dir, &other) == Ownership::kOtherInstance) {
      pods_by_root[other].insert(Label(sb.labels, kPodUidLabel));
    }
  }
  for (const auto& [root, uids] : pods_by_root) {
    spdlog::warn("another crilet (root dir {}) owns {} pod{} on the runtime at {}; this crilet (root dir {}) leaves "
                 "them alone",
                 root, uids.size(), uids.size() == 1 ? "" : "s", services_.options.runtime_endpoint,
                 services_.options.root_dir);
  }
}

bool Agent::OwnsPod(const std::string& uid, const std::vector<cri::Sandbox>& sandboxes) const {
  bool ours = false, unlabeled = false;
  for (const auto& sb : sandboxes) {
    switch (SandboxOwnership(sb.labels, services_.options.root_dir)) {
      case Ownership::kOurs: ours = true; break;
      case Ownership::kUnlabeled: unlabeled = true; break;
      case Ownership::kOtherInstance: break;
    }
  }
  if (ours) return true;
  // A sandbox from a crilet before the instance label: ours if we hold the pod's directory (written at its
  // first sync), so an upgrade still removes the pods whose manifests went away while crilet was down, while
  // a pod of a kubelet or of another crilet with an unlabeled sandbox is never touched.
  std::error_code ec;
  return unlabeled && std::filesystem::is_directory(services_.options.root_dir + "/pods/" + uid, ec);
}

void Agent::CleanupOrphan(const std::string& uid, const std::vector<cri::Sandbox>& sandboxes,
                          const std::vector<cri::Container>& containers) {
  // Only pods a kubelet-like agent made from a static manifest are ours to remove; anything else in the
  // runtime (crictl pods, another tool's) is left alone.
  bool static_pod = false;
  manifests::Pod pod;
  pod.metadata.uid = uid;
  for (const auto& sb : sandboxes) {
    if (sb.annotations.count(manifests::kConfigSourceAnnotation)) static_pod = true;  // set on every static pod
    pod.metadata.name = sb.metadata.name;
    pod.metadata.namespace_ = sb.metadata.namespace_;
  }
  if (!static_pod || !OwnsPod(uid, sandboxes)) return;
  for (const auto& c : containers) {
    auto grace = c.annotations.find(kPodTerminationGracePeriodAnnotation);
    if (grace != c.annotations.end()) pod.spec.termination_grace_period_seconds = std::atoll(grace->second.c_str());
  }
  spdlog::info("{}/{}: removing orphaned pod (uid {}): no manifest declares it", pod.metadata.namespace_,
               pod.metadata.name, uid);
  orphans_[uid] = std::make_unique<PodWorker>(&services_, &store_, pod,
                                              [this](const std::string& id) { OnWorkerDone(id); },
                                              PodWorker::Mode::kTerminate);
}

}  // namespace crilet::agent
