// Agent: routes desired pods to workers, relists CRI state to wake them, removes orphans.
#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "agent/labels.h"
#include "agent/sandbox_config.h"
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
      reader_(runtime),
      hooks_(runtime, std::move(http_hooks)) {
  services_.runtime = runtime;
  services_.clock = clock;
  services_.events = &events_;
  services_.reader = &reader_;
  services_.hooks = &hooks_;
  services_.metrics = metrics;
  services_.options = std::move(options);
  services_.exit_watcher = services_.options.watch_exits ? &exit_watcher_ : nullptr;
  services_.host_dns = ParseResolvConf(ReadFile(services_.options.resolv_conf));
  services_.node_hosts = ReadFile("/etc/hosts");
  services_.node_cpu_milli = static_cast<int64_t>(std::thread::hardware_concurrency()) * 1000;
  services_.node_memory_bytes =
      services_.options.node_memory_bytes > 0 ? services_.options.node_memory_bytes : MemTotalBytes();
}

Agent::~Agent() { Stop(); }

void Agent::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  exit_watcher_.Start();
  relist_thread_ = std::thread([this] { RelistLoop(); });
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
  // Workers may call OnWorkerDone while stopping; it sees stopping_ and leaves the maps alone.
  for (auto& [uid, w] : workers) w->Stop();
  for (auto& [uid, w] : orphans) w->Stop();
  for (auto& w : finished) w->Stop();
  exit_watcher_.Stop();
}

void Agent::StartWorkerLocked(const manifests::Pod& pod) {
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
  for (const auto& [uid, pod] : next) {
    auto it = workers_.find(uid);
    if (it != workers_.end()) {
      auto old = desired_.find(uid);
      if (old == desired_.end() || !(old->second == pod)) it->second->Update(pod);
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
  // A pod waiting for its name may start now.
  for (const auto& [desired_uid, pod] : desired_) {
    if (workers_.count(desired_uid)) continue;
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
  spdlog::debug("container {} of pod {} exited", container_id.substr(0, 13), uid);
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
    if (line.empty() && !why.empty() && why != health_.error) spdlog::debug("{}", why);
    health_.error = why;
    if (!s.ok()) return;
  }

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
  if (!have_desired_ || !sources_ready_) return;
  for (const auto& [uid, print] : prints) {
    if (workers_.count(uid) || orphans_.count(uid) || desired_.count(uid)) continue;
    CleanupOrphan(uid, pod_sandboxes[uid], pod_containers[uid]);
  }
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
  if (!static_pod) return;
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
