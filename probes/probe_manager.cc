// Probe scheduling on one loop thread: a timer heap, runs started and waited for in one poll, results folded
// with kubelet's thresholds.
#include "probes/probe_manager.h"

#include <algorithm>

#include "probes/probe_handler.h"

namespace crilet::probes {
namespace {

const manifests::Probe* SpecOf(const manifests::Container& c, ProbeType t) {
  const std::optional<manifests::Probe>* p = t == ProbeType::kLiveness    ? &c.liveness_probe
                                             : t == ProbeType::kReadiness ? &c.readiness_probe
                                                                          : &c.startup_probe;
  return *p ? &**p : nullptr;
}

const char* TypeLabel(ProbeType t) {
  switch (t) {
    case ProbeType::kLiveness: return "liveness";
    case ProbeType::kReadiness: return "readiness";
    case ProbeType::kStartup: return "startup";
  }
  return "unknown";
}

// Kubelet's prober_probe_total result label.
const char* ResultLabel(Result r) {
  switch (r) {
    case Result::kSuccess: return "successful";
    case Result::kFailure: return "failed";
    case Result::kUnknown: return "unknown";
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
                      {0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1});
    // A summary: the quantile label is reserved for one (promtool's lint), the window is the last 20000 runs.
    metrics_->Declare("crilet_probe_start_delay_quantile_seconds", Metrics::Type::kSummary,
                      "Quantiles of probe start delay over the last 20000 probe runs (sum and count: all runs).");
  }
}

ProbeManager::~ProbeManager() { Stop(); }

void ProbeManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  loop_thread_ = std::thread([this] { LoopMain(); });
  loop_thread_id_ = loop_thread_.get_id();
}

namespace {

HttpResponse Cancelled(const HttpRequest& req) {
  return HttpResponse{0, "", "Get \"" + req.url + "\": context canceled", false, ""};
}

}  // namespace

void ProbeManager::Stop() {
  std::vector<HookRequest> queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [id, w] : workers_) w.cancel->store(true);
  }
  loop_.Wake();
  if (loop_thread_.joinable()) loop_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued.swap(hook_queue_);  // never taken by the loop (it ended, or never started)
  }
  for (HookRequest& h : queued) h.answer.set_value(Cancelled(h.req));
}

std::future<HttpResponse> ProbeManager::HttpGet(HttpRequest req) {
  HookRequest h;
  h.req = std::move(req);
  std::future<HttpResponse> answer = h.answer.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      hook_queue_.push_back(std::move(h));
      loop_.Wake();
      return answer;
    }
  }
  h.answer.set_value(Cancelled(h.req));
  return answer;
}

size_t ProbeManager::WorkerCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return workers_.size();
}

void ProbeManager::ScheduleLocked(uint64_t id, SteadyTime at) {
  Worker& w = workers_.at(id);
  w.generation++;
  timers_.push(Timer{at, id, w.generation});
  // The loop thread sees its own schedules before it sleeps; others must wake it when they come first.
  if (timers_.top().id == id && timers_.top().generation == w.generation &&
      std::this_thread::get_id() != loop_thread_id_) {
    loop_.Wake();
  }
}

void ProbeManager::ScheduleFirstRunLocked(uint64_t id, SteadyTime now) {
  const Worker& w = workers_.at(id);
  FirstRunInput in;
  in.spec = w.spec.get();
  in.started_at = w.started_at;
  in.now = clock_->Now();
  in.since_manager_start = now - start_;
  in.random01 = std::uniform_real_distribution<double>(0, 1)(rng_);
  in.jitter = options_.jitter;
  in.second = options_.time_unit;
  const auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(FirstRunDelay(in));
  ScheduleLocked(id, delay > Duration{0} ? OnGrid(now + delay) : now);
}

ProbeManager::SteadyTime ProbeManager::OnGrid(SteadyTime t) const {
  if (options_.slots_per_unit <= 0) return t;
  const Duration slot = std::chrono::duration_cast<Duration>(options_.time_unit) / options_.slots_per_unit;
  return start_ + std::chrono::duration_cast<SteadyTime::duration>(AlignToSlot(t - start_, slot));
}

void ProbeManager::UnscheduleLocked(Worker* w) {
  w->generation++;  // pending timer entries no longer match
  w->cancel->store(true);
  if (w->current_in_flight) loop_.Wake();  // the loop drops the run
  w->cancel = std::make_shared<std::atomic<bool>>(false);
  w->current_in_flight = false;  // a run still going belongs to the old instance and will be dropped
}

void ProbeManager::RemoveWorkerLocked(uint64_t id) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  it->second.removed = true;
  it->second.cancel->store(true);
  if (it->second.runs_in_flight > 0) loop_.Wake();  // the loop drops the run
  if (it->second.runs_in_flight == 0) workers_.erase(it);  // else the last run to end erases it
}

bool ProbeManager::StartedLocked(const Worker& w) const {
  if (!w.running) return false;
  if (!w.container->startup_probe) return true;
  auto ids = by_pod_.find(w.pod_uid);
  if (ids == by_pod_.end()) return false;
  for (uint64_t id : ids->second) {
    auto it = workers_.find(id);
    if (it == workers_.end()) continue;
    const Worker& s = it->second;
    if (s.type == ProbeType::kStartup && s.container->name == w.container->name) {
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
  const auto now = std::chrono::steady_clock::now();

  // Probed: regular containers and sidecars (restartable init containers), as kubelet does.
  std::vector<const manifests::Container*> specs;
  for (const auto& c : pod.spec.containers) specs.push_back(&c);
  for (const auto& c : pod.spec.init_containers) {
    if (manifests::IsSidecar(c)) specs.push_back(&c);
  }
  for (const auto* c : specs) {
    // The instance to probe: the running one, else the first listed (the agent lists newest first).
    const ProbeTarget* target = nullptr;
    for (const auto& t : containers) {
      if (t.name == c->name && (!target || (t.running && !target->running))) target = &t;
    }
    std::shared_ptr<const manifests::Container> shared;
    const manifests::Container* shared_from = nullptr;
    for (ProbeType type : {ProbeType::kStartup, ProbeType::kLiveness, ProbeType::kReadiness}) {
      const manifests::Probe* spec = SpecOf(*c, type);
      if (!spec) continue;
      uint64_t id = 0;
      for (uint64_t existing : ids) {
        auto it = workers_.find(existing);
        if (it != workers_.end() && !it->second.removed && it->second.type == type &&
            it->second.container->name == c->name) {
          id = existing;
        }
      }
      if (id == 0) {
        id = next_id_++;
        workers_[id].pod_uid = uid;
        workers_[id].type = type;
      }
      Worker& w = workers_[id];
      keep.push_back(id);
      // A changed spec (same pod UID) takes effect from the next run.
      w.pod_name = pod.metadata.name;
      w.pod_namespace = pod.metadata.namespace_;
      if (!shared || shared_from != c) {  // one copy per container, shared by its probes and their runs
        shared = std::make_shared<const manifests::Container>(*c);
        shared_from = c;
      }
      w.container = shared;
      w.spec = std::shared_ptr<const manifests::Probe>(shared, SpecOf(*shared, type));
      w.pod_ip = pod_ip;
      if (!target) {
        // The instance is gone: stop probing it and forget its results until a new one appears.
        if (!w.state.container_id.empty()) {
          UnscheduleLocked(&w);
          w.state = ProbeState{};
          w.running = false;
        }
        continue;
      }
      bool was_running = w.running;
      w.running = target->running;
      w.started_at = target->started_at;
      if (w.state.container_id != target->container_id) {
        UnscheduleLocked(&w);  // a run for the old instance is cancelled (and its result dropped)
        NewContainer(&w.state, type, target->container_id);
        if (std::optional<Result> r = Lookup(target->restored, type)) w.state.published = *r;
        ScheduleFirstRunLocked(id, now);
      } else if (!was_running && w.running) {
        ScheduleFirstRunLocked(id, now);  // created earlier, running now: probe without waiting a period
      }
    }
  }
  for (uint64_t id : ids) {
    if (std::find(keep.begin(), keep.end(), id) == keep.end()) RemoveWorkerLocked(id);
  }
  if (keep.empty()) {
    by_pod_.erase(uid);
  } else {
    ids = std::move(keep);
  }
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

void ProbeManager::LoopMain() {
  std::vector<DueRun> due;
  std::vector<HookRequest> hooks;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    // Every run due now (those on one grid point) is taken in this one wake-up.
    while (!timers_.empty() && timers_.top().at <= now) {
      Timer t = timers_.top();
      timers_.pop();
      auto it = workers_.find(t.id);
      if (it == workers_.end() || it->second.removed || it->second.generation != t.generation) continue;
      Worker& w = it->second;
      // Fixed rate: the next run is one period after this one was due, whatever this one takes; ticks missed
      // while the process stalled are dropped rather than run in a burst.
      SteadyTime next = t.at + Period(w);
      while (next <= now) next += Period(w);
      ScheduleLocked(t.id, OnGrid(next));
      if (w.current_in_flight) continue;  // still running from the last period: skip this tick
      if (auto run = TickLocked(t.id, t.at)) {
        w.current_in_flight = true;
        w.runs_in_flight++;
        due.push_back(std::move(*run));
      }
    }
    hooks.swap(hook_queue_);
    const SteadyTime next_timer = timers_.empty() ? SteadyTime::max() : timers_.top().at;
    lock.unlock();
    for (DueRun& run : due) Begin(std::move(run));
    due.clear();
    for (HookRequest& h : hooks) StartHook(std::move(h));
    hooks.clear();
    // Whoever sets the cancel flag of a run in flight also wakes the loop (UnscheduleLocked, RemoveWorkerLocked).
    DropCancelled();
    for (ProbeLoop::Ended& e : loop_.Wait(next_timer)) {
      auto it = in_flight_.find(e.key);
      if (it == in_flight_.end()) continue;
      DueRun run = std::move(it->second);
      in_flight_.erase(it);
      Ended(std::move(run), std::move(e.outcome));
    }
    hooks_.remove_if([](const HookCall& h) { return h.done; });
    lock.lock();
  }
  lock.unlock();
  // Runs in flight are dropped with their sockets and requests: no result is booked after Stop.
  loop_.Clear();
  in_flight_.clear();
  for (HookCall& h : hooks_) {
    if (!h.done) h.answer.set_value(HttpResponse{0, "", "Get \"" + h.url + "\": context canceled", false, ""});
  }
  hooks_.clear();
}

void ProbeManager::Begin(DueRun run) {
  if (!run.probe || run.cancel->load()) {  // nothing to probe, or cancelled since: only book its end
    {
      std::lock_guard<std::mutex> lock(mu_);
      FinishRunLocked(run);
      if (stopping_ || run.probe) return;
    }
    if (on_change_) on_change_(run.pod_uid);
    return;
  }
  run.started = std::chrono::steady_clock::now();
  Attempt(std::move(run));
}

void ProbeManager::Attempt(DueRun run) {
  ProbeStart start = StartProbe(*run.spec, TargetOf(run), loop_.curl());
  if (start.outcome || !start.pending) {
    ProbeOutcome outcome = start.outcome ? std::move(*start.outcome)
                                         : ProbeOutcome{Result::kUnknown, "the probe could not start", true, false};
    Ended(std::move(run), std::move(outcome));
    return;
  }
  const uint64_t key = next_key_++;
  loop_.Add(key, std::move(start.pending));
  in_flight_.emplace(key, std::move(run));
}

void ProbeManager::Ended(DueRun run, ProbeOutcome outcome) {
  // Kubelet retries a probe that could not run (an error, not a failure) up to 3 times in the same tick.
  if (outcome.error && ++run.attempts < kMaxProbeAttempts && !run.cancel->load()) {
    Attempt(std::move(run));
    return;
  }
  Complete(run, outcome, run.started);
}

void ProbeManager::DropCancelled() {
  std::vector<DueRun> dropped;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (!it->second.cancel->load()) {
      ++it;
      continue;
    }
    loop_.Drop(it->first);
    dropped.push_back(std::move(it->second));
    it = in_flight_.erase(it);
  }
  if (dropped.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const DueRun& run : dropped) FinishRunLocked(run);
}

void ProbeManager::StartHook(HookRequest h) {
  hooks_.emplace_back();
  HookCall* call = &hooks_.back();  // a list: stays where it is until the loop erases it
  call->url = h.req.url;
  call->answer = std::move(h.answer);
  call->exchange = std::make_unique<HttpExchange>(loop_.curl(), std::move(h.req), [call](HttpResponse r) {
    call->answer.set_value(std::move(r));
    call->done = true;
  });
}

std::optional<ProbeManager::DueRun> ProbeManager::TickLocked(uint64_t id, SteadyTime scheduled) {
  Worker& w = workers_.at(id);
  if (w.state.container_id.empty()) return std::nullopt;
  TickAction action = Decide(w.state, TickInput{w.type, w.spec.get(), w.running, w.started_at, StartedLocked(w),
                                                clock_->Now(), options_.time_unit});
  if (action == TickAction::kSkip) return std::nullopt;
  DueRun run;
  run.id = id;
  run.scheduled = scheduled;
  run.cancel = w.cancel;
  run.pod_uid = w.pod_uid;
  if (action == TickAction::kFailNotRunning) {
    // Not running: kubelet publishes Failure at once, without a probe or thresholds. The loop tells.
    if (!FoldNotRunning(&w.state)) return std::nullopt;
    run.probe = false;
    return run;
  }
  run.type = w.type;
  run.pod_name = w.pod_name;
  run.pod_namespace = w.pod_namespace;
  run.pod_ip = w.pod_ip;
  run.container_id = w.state.container_id;
  run.container = w.container;
  run.spec = w.spec;
  return run;
}

ProbeManager::Worker* ProbeManager::FinishRunLocked(const DueRun& run) {
  auto it = workers_.find(run.id);
  if (it == workers_.end()) return nullptr;
  Worker& w = it->second;
  w.runs_in_flight--;
  if (w.cancel == run.cancel) w.current_in_flight = false;
  if (w.removed) {
    if (w.runs_in_flight == 0) workers_.erase(it);
    return nullptr;
  }
  return &w;
}

void ProbeManager::Complete(const DueRun& run, const ProbeOutcome& outcome, SteadyTime started) {
  probes_run_++;
  const auto took = std::chrono::steady_clock::now() - started;
  if (delays_.Add(started - run.scheduled) && metrics_) {
    auto [p50, p99] = delays_.Quantiles();
    auto [sum, count] = delays_.Totals();
    metrics_->SetSummary("crilet_probe_start_delay_quantile_seconds", {}, {{0.5, p50}, {0.99, p99}}, sum, count);
  }
  if (metrics_) {
    metrics_->Observe("crilet_probe_duration_seconds", {{"probe_type", TypeLabel(run.type)}},
                      std::chrono::duration<double>(took).count());
    metrics_->Observe("crilet_probe_start_delay_seconds", {},
                      std::chrono::duration<double>(started - run.scheduled).count());
  }

  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Worker* w = FinishRunLocked(run);
    // Dropped: the pod went away, the instance was replaced or vanished, or the manager is stopping.
    if (!w || stopping_ || run.cancel->load() || w->state.container_id != run.container_id) return;
    if (!outcome.error) changed = Fold(&w->state, w->type, *w->spec, outcome.result);
  }
  Report(run, outcome);
  if (changed && on_change_) on_change_(run.pod_uid);
}

void ProbeManager::Report(const DueRun& run, const ProbeOutcome& outcome) {
  const std::string type = ProbeTypeName(run.type);
  if (events_) {
    // Kubelet records one event per failed run (folding repeats is the sink's job).
    std::string field = std::string(manifests::IsSidecar(*run.container) ? "spec.initContainers{" : "spec.containers{") +
                        run.container->name + "}";
    if (outcome.error) {
      // Kubelet prints the probe.Result the retries ended with: "unknown" (exec into a container that is
      // going away, a bad port) or "failure" (an HTTP body that could not be read).
      const char* result = outcome.result == Result::kFailure ? "failure" : "unknown";
      events_->Record(run.pod_uid, "Warning", "Unhealthy",
                      type + " probe errored and resulted in " + result + " state: " + outcome.output, field);
    } else if (outcome.result == Result::kFailure) {
      events_->Record(run.pod_uid, "Warning", "Unhealthy", type + " probe failed: " + outcome.output, field);
    } else if (outcome.warning) {
      events_->Record(run.pod_uid, "Warning", "ProbeWarning", type + " probe warning: " + outcome.output, field);
    }
  }
  if (metrics_ && !outcome.error) {  // kubelet does not count runs that errored
    metrics_->Add("crilet_probe_total", {{"probe_type", type},
                                         {"result", ResultLabel(outcome.result)},
                                         {"container", run.container->name},
                                         {"pod", run.pod_name},
                                         {"namespace", run.pod_namespace}});
  }
}

}  // namespace crilet::probes
