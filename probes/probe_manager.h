/// ProbeManager: runs every container's startup/liveness/readiness probes on one timer thread and a small pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "cri/runtime.h"
#include "probes/probe_state.h"
#include "probes/prober.h"

namespace crilet::probes {

// No thread per probe: due probes go from a timer queue to `pool_size` workers. Every handler has a hard
// timeout (the probe's timeoutSeconds), so a hanging probe holds one worker for at most that long; with all
// workers busy, a due probe waits for the first free one. Thread-safe.
class ProbeManager : public Prober {
 public:
  struct Options {
    int pool_size = 4;
  };
  // on_change(pod_uid) is called (from a pool thread, no lock held) whenever a published result changes.
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change, Options options);
  ProbeManager(cri::Runtime* runtime, const Clock* clock, EventSink* events, Metrics* metrics,
               std::function<void(const std::string&)> on_change)
      : ProbeManager(runtime, clock, events, metrics, std::move(on_change), Options{}) {}
  ~ProbeManager() override;

  void Start();
  void Stop();  // returns once the threads are joined (in-flight probes finish within their timeouts)

  void UpdatePod(const manifests::Pod& pod, const std::string& pod_ip, const std::vector<ProbeTarget>& containers) override;
  void RemovePod(const std::string& pod_uid) override;
  PodResults Results(const std::string& pod_uid) const override;

  // For tests and metrics: probes run so far and workers alive.
  uint64_t ProbesRun() const { return probes_run_.load(); }
  size_t WorkerCount() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Worker {
    uint64_t id = 0;
    std::string pod_uid;
    std::string pod_name;
    std::string pod_namespace;
    manifests::Container container;
    ProbeType type = ProbeType::kReadiness;
    manifests::Probe spec;
    std::string pod_ip;
    bool running = false;
    int64_t started_at = 0;
    ProbeState state;
    bool in_flight = false;
    bool removed = false;
    uint64_t generation = 0;  // bumped on reschedule; older timer entries are ignored
    SteadyTime scheduled{};   // when the pending run is due (for jitter metrics)
  };
  struct Timer {
    SteadyTime at;
    uint64_t id;
    uint64_t generation;
    bool operator>(const Timer& o) const { return at > o.at; }
  };

  void TimerLoop();
  void PoolLoop();
  void RunProbe(uint64_t id, SteadyTime scheduled);
  ProbeOutcome Execute(const Worker& w);
  bool StartedLocked(const Worker& w) const;  // the container passed its startup probe (or has none)
  void ScheduleLocked(uint64_t id, SteadyTime at);
  void RemoveWorkerLocked(uint64_t id);

  cri::Runtime* runtime_;
  const Clock* clock_;
  EventSink* events_;
  Metrics* metrics_;
  std::function<void(const std::string&)> on_change_;
  Options options_;
  const SteadyTime start_ = std::chrono::steady_clock::now();

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable timer_cv_;
  std::condition_variable pool_cv_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Worker> workers_;
  std::map<std::string, std::vector<uint64_t>> by_pod_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<std::pair<uint64_t, SteadyTime>> ready_;  // worker and its scheduled time
  std::mt19937_64 rng_{std::random_device{}()};

  std::atomic<uint64_t> probes_run_{0};
  std::thread timer_thread_;
  std::vector<std::thread> pool_;
};

}  // namespace crilet::probes
