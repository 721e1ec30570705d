/// ProbeManager: runs every container's startup/liveness/readiness probes on one timer thread and a small pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
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
#include "probes/probe_handler.h"
#include "probes/probe_state.h"
#include "probes/prober.h"
#include "probes/start_delays.h"

namespace crilet::probes {

// No thread per probe. A probe worker is a record (pod, container, probe type, current container ID, threshold
// state); one timer thread keeps a heap of (next run, worker) and hands due runs to a pool of threads. Every
// handler has a hard timeout (timeoutSeconds) and sees a cancel flag, so a hanging probe holds one pool thread
// for at most its timeout. A due run goes to the thread that went idle last (LIFO), so the work stays on a few
// warm threads and the others reach idle_thread_linger and end. When every pool thread is busy and a run is
// due, the pool grows (up to max_pool_size), so a slow probe does not delay the others; only
// with max_pool_size probes hanging at once does a due run wait, for at most the shortest remaining timeout.
// A run still in flight when its next tick comes skips that tick (kubelet's ticker drops ticks too).
// Runs start on a 100 ms grid (Options::slots_per_unit): a run after the first is due up to 100 ms later
// than one period after the last, and runs on one grid point are handed out in one wake-up.
// Most runs never take a pool thread: the timer thread starts exec probes on the runtime's shared HTTP/2
// connection (cri::ExecCall), and tcpSocket and plain-HTTP httpGet probes to an IP address with a
// non-blocking connect (a pod on this host completes or refuses the handshake inside the connect call),
// then waits for all of them in its own poll, next to its timers (PendingProbe). The pool runs grpc, HTTPS
// and host names, an HTTP redirect to follow, an exec retried after a runtime error, and exec probes
// against a runtime without that path.
//
// Thread-safe. The runtime, clock, events and metrics must outlive the manager (events and metrics may be null).
class ProbeManager : public Prober {
 public:
  struct Options {
    int pool_size = 4;       // threads kept running
    int max_pool_size = 32;  // the pool grows to this while runs wait for a thread
    std::chrono::milliseconds idle_thread_linger{30000};
    bool jitter = true;      // kubelet's random first run within one period of start; tests turn it off
    Duration time_unit = std::chrono::seconds(1);  // one spec second of periods/initial delays; tests shorten it
    // Probe runs start on a grid of time_unit / slots_per_unit (100 ms by default; 0: no grid), so that runs due
    // close together share one wake-up. A new container's first probe is not held back to the grid.
    int slots_per_unit = 10;
  };
  // on_change(pod_uid) is called from a pool thread or the timer thread, with no lock held, whenever a published result changes
  // (never from inside UpdatePod/RemovePod, so the agent may hold its own locks while calling those).
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change, Options options);
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change)
      : ProbeManager(runtime, clock, events, metrics, std::move(on_change), Options{}) {}
  ~ProbeManager() override;
  ProbeManager(const ProbeManager&) = delete;
  ProbeManager& operator=(const ProbeManager&) = delete;

  // Starts the timer thread and the pool. Pods may be added before: their runs wait for Start.
  void Start();
  // Cancels in-flight http/tcp/grpc probes (they end within ~50 ms; an exec waits for its ExecSync, which the
  // runtime bounds by the probe timeout) and joins every thread. No on_change or event after it returns.
  void Stop();

  void UpdatePod(const manifests::Pod& pod, const std::string& pod_ip, const std::vector<ProbeTarget>& containers) override;
  void RemovePod(const std::string& pod_uid) override;
  PodResults Results(const std::string& pod_uid) const override;

  // Delay of probe starts against their schedule over the last 20,000 runs: {p50, p99} in seconds.
  std::pair<double, double> StartDelayQuantiles() const { return delays_.Quantiles(); }

  // For tests and metrics.
  uint64_t ProbesRun() const { return probes_run_.load(); }  // handler runs so far
  size_t WorkerCount() const;                                // probe workers alive
  size_t ThreadCount() const;                                // pool threads alive

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
    int runs_in_flight = 0;   // dispatched and not finished; a removed worker is erased at 0
    bool current_in_flight = false;  // a run for the current instance is going: its ticks are skipped
    bool removed = false;
    uint64_t generation = 0;  // bumped on every (re)schedule; older timer entries are ignored
    // Set to cancel the current instance's runs (a new instance gets a new flag).
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  };
  // A run handed to a pool thread, with what it needs copied by the timer thread (which decided it under the
  // lock), so that the pool thread takes the lock only to book the result.
  struct DueRun {
    uint64_t id = 0;
    SteadyTime scheduled;
    std::shared_ptr<std::atomic<bool>> cancel;  // the worker's flag when the run was dispatched
    bool probe = true;  // false: no probe, only tell on_change (the container stopped running)
    ProbeType type = ProbeType::kReadiness;
    std::string pod_uid, pod_name, pod_namespace, pod_ip, container_id;
    std::shared_ptr<const manifests::Container> container;
    std::shared_ptr<const manifests::Probe> spec;
    // Set when the timer thread started the run itself: when it started, its outcome once known, and the
    // rest of it for a pool thread when it cannot end without blocking (an HTTP redirect to follow).
    SteadyTime started{};
    std::optional<ProbeOutcome> outcome;
    std::function<ProbeOutcome(const std::atomic<bool>* cancel)> rest;
    int attempts = 0;  // handler attempts the timer thread made that errored; the pool makes the rest
  };
  // A run the timer thread started and waits for on its socket.
  struct Waiting {
    DueRun run;
    std::unique_ptr<PendingProbe> op;
  };
  struct Timer {
    SteadyTime at;
    uint64_t id;
    uint64_t generation;
    bool operator>(const Timer& o) const { return at > o.at; }
  };

  void TimerLoop();
  // Timer thread, unlocked: starts the due runs, handing those that block to the pool; the others end at once
  // or join `waiting`.
  void StartRuns(std::vector<DueRun>* due, std::vector<Waiting>* waiting);
  // Timer thread, unlocked: waits until `until` for the sockets of `waiting` or a Wake, then steps the runs
  // whose sockets are ready and ends those past their deadline or cancelled.
  void WaitAndStep(std::vector<Waiting>* waiting, SteadyTime until);
  // Timer thread: a run it drove came to `outcome`: done, or (an error, as kubelet retries those in the same
  // tick) to the pool for the remaining attempts.
  static void Ended(DueRun run, ProbeOutcome outcome, std::vector<DueRun>* done, std::vector<DueRun>* blocking);
  // Timer thread, unlocked: books runs that ended (`done`), hands `blocking` ones to the pool.
  void Settle(std::vector<DueRun>* blocking, std::vector<DueRun>* done);
  void Wake();  // makes the timer thread look at its timers again
  struct PoolThread;
  void PoolLoop(PoolThread* self);
  void RunProbe(const DueRun& run);
  // Books the outcome of a run that started at `started`: metrics, thresholds, events, on_change.
  void Complete(const DueRun& run, const ProbeOutcome& outcome, SteadyTime started);
  ProbeTargetInfo TargetOf(const DueRun& run) const {
    return ProbeTargetInfo{runtime_, run.container.get(), run.container_id, run.pod_ip, run.cancel.get()};
  }
  // Books the end of a run; returns the worker, or null when it was removed (and is now erased).
  Worker* FinishRunLocked(const DueRun& run);
  void Report(const DueRun& run, const ProbeOutcome& outcome);  // events and metrics of one run
  // Decides a due tick of worker `id` (under the lock): skipped, failed at once, or a run to hand out.
  std::optional<DueRun> TickLocked(uint64_t id, SteadyTime scheduled);
  void DispatchLocked(DueRun run, std::vector<PoolThread*>* woken);
  bool StartedLocked(const Worker& w) const;  // the container passed its startup probe (or has none)
  void ScheduleLocked(uint64_t id, SteadyTime at);
  void ScheduleFirstRunLocked(uint64_t id, SteadyTime now);
  void UnscheduleLocked(Worker* w);           // no more runs for this instance; a run in flight is cancelled
  void RemoveWorkerLocked(uint64_t id);
  void GrowPoolLocked();
  void AddThreadLocked();  // starts one pool thread
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

  int wake_fd_ = -1;  // eventfd the timer thread polls beside its sockets; written by Wake

  mutable std::mutex mu_;  // guards everything below
  std::thread::id timer_thread_id_;
  bool started_ = false;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Worker> workers_;
  std::map<std::string, std::vector<uint64_t>> by_pod_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<DueRun> ready_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::thread timer_thread_;
  struct PoolThread {
    uint64_t id = 0;
    std::condition_variable cv;
    std::optional<DueRun> run;  // handed over by the timer thread while this thread was idle
    std::thread thread;
  };
  std::map<uint64_t, std::unique_ptr<PoolThread>> pool_;  // by thread id
  std::vector<PoolThread*> idle_;  // waiting for work, the most recently idle last (it is woken first)
  std::vector<uint64_t> retired_;  // pool threads that ended (idle surplus), to join
  uint64_t next_thread_id_ = 1;

  std::atomic<uint64_t> probes_run_{0};
};

}  // namespace crilet::probes
