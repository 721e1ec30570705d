// Probe scheduling: a timer heap feeding a fixed pool; results folded with kubelet's thresholds.
#include "probes/probe_manager.h"

#include <spdlog/spdlog.h>

#include "probes/exec_prober.h"
#include "probes/grpc_prober.h"
#include "probes/http_prober.h"
#include "probes/tcp_prober.h"

namespace crilet::probes {
namespace {

const manifests::Probe* SpecOf(const manifests::Container& c, ProbeType t) {
  const std::optional<manifests::Probe>* p = t == ProbeType::kLiveness    ? &c.liveness_probe
                                             : t == ProbeType::kReadiness ? &c.readiness_probe
                                                                          : &c.startup_probe;
  return *p ? &**p : nullptr;
}

int ResolvePort(const manifests::IntOrString& port, const manifests::Container& c) {
  if (port.is_int) return port.int_value;
  for (const auto& p : c.ports) {
    if (p.name == port.str_value) return p.container_port;
  }
  return 0;
}

const char* TypeLabel(ProbeType t) {
  switch (t) {
    case ProbeType::kLiveness: return "liveness";
    case ProbeType::kReadiness: return "readiness";
    case ProbeType::kStartup: return "startup";
  }
  return "unknown";
}

}  // namespace

ProbeManager::ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
                           std::function<void(const std::string&)> on_change, Options options)
    : runtime_(runtime), clock_(clock), events_(events), metrics_(metrics), on_change_(std::move(on_change)),
      options_(options) {
  if (metrics_) {
    metrics_->Declare("crilet_probe_total", Metrics::Type::kCounter,
                      "Probe runs by probe type and result (like kubelet's prober_probe_total).");
    metrics_->Declare("crilet_probe_duration_seconds", Metrics::Type::kHistogram, "Duration of probe runs.",
                      Metrics::LatencyBuckets());
    metrics_->Declare("crilet_probe_start_delay_seconds", Metrics::Type::kHistogram,
                      "How late probes start against their schedule.",
                      {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1});
  }
}

ProbeManager::~ProbeManager() { Stop(); }

void ProbeManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (timer_thread_.joinable()) return;
  timer_thread_ = std::thread([this] { TimerLoop(); });
  for (int i = 0; i < options_.pool_size; ++i) pool_.emplace_back([this] { PoolLoop(); });
}

void ProbeManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  pool_cv_.notify_all();
  if (timer_thread_.joinable()) timer_thread_.join();
  for (auto& t : pool_) {
    if (t.joinable()) t.join();
  }
  pool_.clear();
}

size_t ProbeManager::WorkerCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return workers_.size();
}

void ProbeManager::ScheduleLocked(uint64_t id, SteadyTime at) {
  Worker& w = workers_.at(id);
  w.generation++;
  w.scheduled = at;
  timers_.push(Timer{at, id, w.generation});
  timer_cv_.notify_one();
}

void ProbeManager::RemoveWorkerLocked(uint64_t id) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  it->second.removed = true;
  if (!it->second.in_flight) workers_.erase(it);  // else the pool thread erases it when the run ends
}

bool ProbeManager::StartedLocked(const Worker& w) const {
  if (!w.running) return false;
  if (!w.container.startup_probe) return true;
  auto ids = by_pod_.find(w.pod_uid);
  if (ids == by_pod_.end()) return false;
  for (uint64_t id : ids->second) {
    auto it = workers_.find(id);
    if (it == workers_.end()) continue;
    const Worker& s = it->second;
    if (s.type == ProbeType::kStartup && s.container.name == w.container.name) {
      return s.state.container_id == w.state.container_id && s.state.published == Result::kSuccess;
    }
  }
  return false;
}

void ProbeManager::UpdatePod(const manifests::Pod& pod, const std::string& pod_ip,
                             const std::vector<ProbeTarget>& containers) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  const std::string& uid = pod.metadata.uid;
  std::vector<uint64_t>& ids = by_pod_[uid];
  std::vector<uint64_t> keep;
  auto now = std::chrono::steady_clock::now();

  std::vector<const manifests::Container*> specs;
  for (const auto& c : pod.spec.containers) specs.push_back(&c);
  for (const auto& c : pod.spec.init_containers) {
    if (manifests::IsSidecar(c)) specs.push_back(&c);
  }
  for (const auto* c : specs) {
    // The instance to probe: the running one, else the newest (containers come newest first).
    const ProbeTarget* target = nullptr;
    for (const auto& t : containers) {
      if (t.name != c->name) continue;
      if (!target || (t.running && !target->running)) target = &t;
    }
    for (ProbeType type : {ProbeType::kStartup, ProbeType::kLiveness, ProbeType::kReadiness}) {
      const manifests::Probe* spec = SpecOf(*c, type);
      if (!spec) continue;
      uint64_t id = 0;
      for (uint64_t existing : ids) {
        auto it = workers_.find(existing);
        if (it != workers_.end() && !it->second.removed && it->second.type == type &&
            it->second.container.name == c->name) {
          id = existing;
        }
      }
      bool fresh = id == 0;
      if (fresh) {
        id = next_id_++;
        Worker w;
        w.id = id;
        w.pod_uid = uid;
        w.type = type;
        workers_[id] = w;
      }
      Worker& w = workers_[id];
      // A changed spec (same UID) takes effect from the next run.
      w.pod_name = pod.metadata.name;
      w.pod_namespace = pod.metadata.namespace_;
      w.container = *c;
      w.spec = *spec;
      w.pod_ip = pod_ip;
      keep.push_back(id);
      if (!target) continue;
      w.running = target->running;
      w.started_at = target->started_at;
      if (w.state.container_id != target->container_id) {
        NewContainer(&w.state, type, target->container_id);
        // Probe once initialDelaySeconds have passed since the container started; when crilet itself has just
        // started, spread first runs over one period so a node's probes do not all fire together (kubelet).
        auto since_start = clock_->Now() - FromUnixNanos(target->started_at);
        auto delay = std::chrono::seconds(spec->initial_delay_seconds) - since_start;
        SteadyTime at = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::max<Duration>(delay, Duration{0}));
        auto period = std::chrono::seconds(spec->period_seconds);
        if (now - start_ < period) {
          std::uniform_int_distribution<int64_t> jitter(0, std::chrono::duration_cast<std::chrono::milliseconds>(period).count());
          at = std::max(at, now + std::chrono::milliseconds(jitter(rng_)));
        }
        ScheduleLocked(id, at);
      }
    }
  }
  for (uint64_t id : ids) {
    if (std::find(keep.begin(), keep.end(), id) == keep.end()) RemoveWorkerLocked(id);
  }
  ids = keep;
}

void ProbeManager::RemovePod(const std::string& pod_uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_pod_.find(pod_uid);
  if (it == by_pod_.end()) return;
  for (uint64_t id : it->second) RemoveWorkerLocked(id);
  by_pod_.erase(it);
}

PodResults ProbeManager::Results(const std::string& pod_uid) const {
  std::lock_guard<std::mutex> lock(mu_);
  PodResults out;
  auto it = by_pod_.find(pod_uid);
  if (it == by_pod_.end()) return out;
  for (uint64_t id : it->second) {
    auto w = workers_.find(id);
    if (w == workers_.end() || w->second.state.container_id.empty()) continue;
    ContainerResults& r = out[w->second.state.container_id];
    switch (w->second.type) {
      case ProbeType::kLiveness: r.liveness = w->second.state.published; break;
      case ProbeType::kReadiness: r.readiness = w->second.state.published; break;
      case ProbeType::kStartup: r.startup = w->second.state.published; break;
    }
  }
  return out;
}

void ProbeManager::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    Timer t = timers_.top();
    if (std::chrono::steady_clock::now() < t.at) {
      timer_cv_.wait_until(lock, t.at);
      continue;
    }
    timers_.pop();
    auto it = workers_.find(t.id);
    if (it == workers_.end() || it->second.removed || it->second.generation != t.generation) continue;
    Worker& w = it->second;
    // Fixed rate: the next run is one period after this one was due, whatever this one takes.
    SteadyTime due = t.at;
    ScheduleLocked(t.id, due + std::chrono::seconds(w.spec.period_seconds));
    if (w.in_flight) continue;  // still running from the last period: skip this tick
    w.in_flight = true;
    ready_.emplace_back(t.id, due);
    pool_cv_.notify_one();
  }
}

void ProbeManager::PoolLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    pool_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    auto [id, scheduled] = ready_.front();
    ready_.pop_front();
    lock.unlock();
    RunProbe(id, scheduled);
    lock.lock();
  }
}

ProbeOutcome ProbeManager::Execute(const Worker& w) {
  const auto& h = w.spec.handler;
  auto timeout = std::chrono::seconds(w.spec.timeout_seconds);
  if (h.exec) return ExecProbe(runtime_, w.state.container_id, ExpandProbeCommand(h.exec->command, w.container), timeout);
  if (h.http_get) {
    int port = ResolvePort(h.http_get->port, w.container);
    std::string host = h.http_get->host.empty() ? w.pod_ip : h.http_get->host;
    if (host.empty()) return ProbeOutcome{Result::kUnknown, "the pod has no IP yet", true, false};
    std::string path = h.http_get->path.empty() ? "/" : h.http_get->path;
    if (path[0] != '/') path = "/" + path;
    HttpRequest req;
    req.url = (h.http_get->scheme == "HTTPS" ? "https://" : "http://") +
              (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
    req.headers = h.http_get->http_headers;
    req.timeout = timeout;
    return HttpProbe(req);
  }
  if (h.tcp_socket) {
    std::string host = h.tcp_socket->host.empty() ? w.pod_ip : h.tcp_socket->host;
    if (host.empty()) return ProbeOutcome{Result::kUnknown, "the pod has no IP yet", true, false};
    return TcpProbe(host, ResolvePort(h.tcp_socket->port, w.container), timeout);
  }
  if (h.grpc) {
    if (w.pod_ip.empty()) return ProbeOutcome{Result::kUnknown, "the pod has no IP yet", true, false};
    return GrpcProbe(w.pod_ip, h.grpc->port, h.grpc->service.value_or(""), timeout);
  }
  return ProbeOutcome{Result::kUnknown, "no handler", true, false};
}

void ProbeManager::RunProbe(uint64_t id, SteadyTime scheduled) {
  Worker snapshot;
  TickAction action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return;
    Worker& w = it->second;
    if (w.removed) {
      workers_.erase(it);
      return;
    }
    TickInput in{w.type, &w.spec, w.running, w.started_at, StartedLocked(w), clock_->Now()};
    action = Decide(w.state, in);
    if (action == TickAction::kSkip || w.state.container_id.empty()) {
      w.in_flight = false;
      return;
    }
    snapshot = w;
  }
  auto started = std::chrono::steady_clock::now();
  ProbeOutcome outcome;
  if (action == TickAction::kFailNotRunning) {
    outcome = ProbeOutcome{Result::kFailure, "", false, false};
  } else {
    // Kubelet retries a probe that could not run (an error, not a failure) up to 3 times per tick.
    for (int attempt = 0; attempt < 3; ++attempt) {
      outcome = Execute(snapshot);
      if (!outcome.error) break;
    }
    probes_run_++;
  }
  auto took = std::chrono::steady_clock::now() - started;

  bool changed = false;
  std::string uid = snapshot.pod_uid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return;
    Worker& w = it->second;
    w.in_flight = false;
    if (w.removed) {
      workers_.erase(it);
      return;
    }
    // A result for an instance that is gone, or an error, changes nothing.
    if (outcome.error || w.state.container_id != snapshot.state.container_id) return;
    changed = Fold(&w.state, w.type, w.spec, outcome.result);
  }
  if (action == TickAction::kProbe) {
    std::string field = "spec.containers{" + snapshot.container.name + "}";
    if (manifests::IsSidecar(snapshot.container)) field = "spec.initContainers{" + snapshot.container.name + "}";
    if (outcome.result == Result::kFailure && events_) {
      events_->Record(uid, "Warning", "Unhealthy",
                      std::string(ProbeTypeName(snapshot.type)) + " probe failed: " + outcome.output, field);
    } else if (outcome.warning && events_) {
      events_->Record(uid, "Warning", "ProbeWarning",
                      std::string(ProbeTypeName(snapshot.type)) + " probe warning: " + outcome.output, field);
    }
    if (metrics_) {
      metrics_->Add("crilet_probe_total", {{"probe_type", ProbeTypeName(snapshot.type)},
                                           {"result", ResultName(outcome.result)},
                                           {"container", snapshot.container.name},
                                           {"pod", snapshot.pod_name},
                                           {"namespace", snapshot.pod_namespace}});
      metrics_->Observe("crilet_probe_duration_seconds", {{"probe_type", TypeLabel(snapshot.type)}},
                        std::chrono::duration<double>(took).count());
      metrics_->Observe("crilet_probe_start_delay_seconds", {},
                        std::chrono::duration<double>(started - scheduled).count());
    }
  }
  if (changed && on_change_) on_change_(uid);
}

}  // namespace crilet::probes
