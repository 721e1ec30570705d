/// ProbeManager: schedules every container's startup/liveness/readiness probes and books their results, on one loop thread.
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "cri/runtime.h"
#include "probes/http_prober.h"
#include "probes/probe_handler.h"
#include "probes/probe_loop.h"
#include "probes/probe_state.h"
#include "probes/prober.h"
#include "probes/start_delays.h"

namespace crilet::probes {

// No thread per probe and no pool. A probe worker is a record (pod, container, probe type, current container
// ID, threshold state); one loop thread keeps a heap of (next run, worker), starts every due run itself and
// waits for all runs in flight in one poll (ProbeLoop), next to its timers: exec on the runtime's shared
// HTTP/2 connection (cri::ExecCall), tcpSocket with a non-blocking connect, grpc on gRPC's callback API (an
// eventfd), and httpGet on libcurl's multi-socket interface (CurlLoop, whose threaded resolver keeps a slow
// name server off the loop). The loop's poll timeout is the earliest of its timers, the runs' deadlines and
// libcurl's timer. No handler blocks, so a hanging probe costs one socket until its timeout and delays no
// other run. An exec that errored (kubelet retries errors in the same tick, up to 3 attempts) is started
// again on the loop. httpGet lifecycle hooks (HttpGet) run on the same loop; the hook's thread waits for
// the answer.
// A run still in flight when its next tick comes skips that tick (kubelet's ticker drops ticks too).
// Runs start on a 100 ms grid (Options::slots_per_unit): a run after the first is due up to 100 ms later
// than one period after the last, and runs on one grid point are started in one wake-up.
//
// Thread-safe. The runtime, clock, events and metrics must outlive the manager (events and metrics may be null).
class ProbeManager : public Prober {
 public:
  struct Options {
    bool jitter = true;      // kubelet's random first run within one period of start; tests turn it off
    Duration time_unit = std::chrono::seconds(1);  // one spec second of periods/initial delays; tests shorten it
    // Probe runs start on a grid of time_unit / slots_per_unit (100 ms by default; 0: no grid), so that runs due
    // close together share one wake-up. A new container's first probe is not held back to the grid.
    int slots_per_unit = 10;
  };
  // on_change(pod_uid) is called from the loop thread, with no lock held, whenever a published result changes
  // (never from inside UpdatePod/RemovePod, so the agent may hold its own locks while calling those).
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change, Options options);
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change)
      : ProbeManager(runtime, clock, events, metrics, std::move(on_change), Options{}) {}
  ~ProbeManager() override;
  ProbeManager(const ProbeManager&) = delete;
  ProbeManager& operator=(const ProbeManager&) = delete;

  // Starts the loop thread. Pods (and hook requests) may be added before: their runs wait for Start.
  void Start();
  // Drops the runs in flight (their sockets closed, their requests cancelled; an exec's ExecSync is cancelled
  // on the runtime's connection), answers waiting hook requests with "context canceled", and joins the loop
  // thread. No on_change or event after it returns.
  void Stop();

  // An httpGet lifecycle hook's request (user agent kube-lifecycle), made on the loop thread; the future is
  // ready once it ended (within req.timeout; req.cancel is not looked at). Any thread.
  std::future<HttpResponse> HttpGet(HttpRequest req);

  void UpdatePod(const manifests::Pod& pod, const std::string& pod_ip, const std::vector<ProbeTarget>& containers) override;
  void RemovePod(const std::string& pod_uid) override;
  PodResults Results(const std::string& pod_uid) const override;

  // Delay of probe starts against their schedule over the last 20,000 runs: {p50, p99} in seconds.
  std::pair<double, double> StartDelayQuantiles() const { return delays_.Quantiles(); }

  // For tests and metrics.
  uint64_t ProbesRun() const { return probes_run_.load(); }  // handler runs so far
  size_t WorkerCount() const;                                // probe workers alive

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Worker {
    std::string pod_uid;
    std::string pod_name;
    std::string pod_namespace;
    // Shared and never changed in place (UpdatePod swaps in a new copy), so a run snapshot costs no deep copy.
    std::shared_ptr<const manifests::Container> container;
    ProbeType type = ProbeType::kReadiness;
    std::shared_ptr<const manifests::Probe> spec;  // points into *container
    std::string pod_ip;
    bool running = false;
    int64_t started_at = 0;
    ProbeState state;
    int runs_in_flight = 0;   // started and not finished; a removed worker is erased at 0
    bool current_in_flight = false;  // a run for the current instance is going: its ticks are skipped
    bool removed = false;
    uint64_t generation = 0;  // bumped on every (re)schedule; older timer entries are ignored
    // Set to cancel the current instance's runs (a new instance gets a new flag).
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  };
  // A run the loop thread started, with what it needs copied under the lock when it was decided, so that
  // the loop takes the lock again only to book the result.
  struct DueRun {
    uint64_t id = 0;
    SteadyTime scheduled;
    std::shared_ptr<std::atomic<bool>> cancel;  // the worker's flag when the run was decided
    bool probe = true;  // false: no probe, only tell on_change (the container stopped running)
    ProbeType type = ProbeType::kReadiness;
    std::string pod_uid, pod_name, pod_namespace, pod_ip, container_id;
    std::shared_ptr<const manifests::Container> container;
    std::shared_ptr<const manifests::Probe> spec;
    SteadyTime started{};
    int attempts = 0;  // handler attempts that ended so far
  };
  struct Timer {
    SteadyTime at;
    uint64_t id;
    uint64_t generation;
    bool operator>(const Timer& o) const { return at > o.at; }
  };
  // A hook request waiting for the loop, and one the loop is making.
  struct HookRequest {
    HttpRequest req;
    std::promise<HttpResponse> answer;
  };
  struct HookCall {
    std::string url;
    std::promise<HttpResponse> answer;
    std::unique_ptr<HttpExchange> exchange;
    bool done = false;
  };

  void LoopMain();
  // Loop thread, unlocked: a due run begins (or, for a notify-only run, ends at once).
  void Begin(DueRun run);
  // Loop thread: one attempt of the run's handler; it ends at once or joins the loop's runs in flight.
  void Attempt(DueRun run);
  // Loop thread: an attempt came to `outcome`: booked, or (an error, as kubelet retries those in the same
  // tick) attempted again.
  void Ended(DueRun run, ProbeOutcome outcome);
  void DropCancelled();  // loop thread: runs whose worker went away or moved to a new instance
  void StartHook(HookRequest h);  // loop thread
  // Books the outcome of a run that started at `started`: metrics, thresholds, events, on_change.
  void Complete(const DueRun& run, const ProbeOutcome& outcome, SteadyTime started);
  ProbeTargetInfo TargetOf(const DueRun& run) const {
    return ProbeTargetInfo{runtime_, run.container.get(), run.container_id, run.pod_ip, nullptr};
  }
  // Books the end of a run; returns the worker, or null when it was removed (and is now erased).
  Worker* FinishRunLocked(const DueRun& run);
  void Report(const DueRun& run, const ProbeOutcome& outcome);  // events and metrics of one run
  // Decides a due tick of worker `id` (under the lock): skipped, failed at once, or a run to start.
  std::optional<DueRun> TickLocked(uint64_t id, SteadyTime scheduled);
  bool StartedLocked(const Worker& w) const;  // the container passed its startup probe (or has none)
  void ScheduleLocked(uint64_t id, SteadyTime at);
  void ScheduleFirstRunLocked(uint64_t id, SteadyTime now);
  void UnscheduleLocked(Worker* w);           // no more runs for this instance; a run in flight is cancelled
  void RemoveWorkerLocked(uint64_t id);
  Duration Period(const Worker& w) const { return w.spec->period_seconds * options_.time_unit; }
  SteadyTime OnGrid(SteadyTime t) const;  // the first start slot at or after t

  cri::Runtime* runtime_;
  const Clock* clock_;
  EventSink* events_;
  Metrics* metrics_;
  std::function<void(const std::string&)> on_change_;
  const Options options_;
  const SteadyTime start_ = std::chrono::steady_clock::now();
  StartDelays delays_;

  ProbeLoop loop_;  // Wake from any thread; the rest on the loop thread only
  // Loop thread only: the runs in flight by their key in loop_, and the hook requests being made (after
  // loop_, so that their exchanges go before its CurlLoop).
  std::map<uint64_t, DueRun> in_flight_;
  uint64_t next_key_ = 1;
  std::list<HookCall> hooks_;

  mutable std::mutex mu_;  // guards everything below
  std::thread::id loop_thread_id_;
  bool started_ = false;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Worker> workers_;
  std::map<std::string, std::vector<uint64_t>> by_pod_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<HookRequest> hook_queue_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::thread loop_thread_;

  std::atomic<uint64_t> probes_run_{0};
};

}  // namespace crilet::probes
