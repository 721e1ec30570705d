/// ProbeLoop: the probe manager's one poll over a wake eventfd, the pending runs' fds and a CurlLoop's sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "common/curl_loop.h"
#include "probes/pending_probe.h"

namespace crilet::probes {

// Holds the runs in flight by key and waits for all of them at once: one ppoll over the wake eventfd, each
// run's own fd (exec, tcpSocket, grpc) and the CurlLoop's sockets (httpGet runs and hooks, tcpSocket by
// host name), with a timeout at the earliest of the caller's timer, the runs' deadlines and libcurl's timer.
// Loop thread only, but for Wake. Destroying it drops the runs still in flight (closing their sockets,
// cancelling their requests) without an outcome.
class ProbeLoop {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Ended {
    uint64_t key;
    ProbeOutcome outcome;
  };

  ProbeLoop();
  ~ProbeLoop();
  ProbeLoop(const ProbeLoop&) = delete;
  ProbeLoop& operator=(const ProbeLoop&) = delete;

  CurlLoop* curl() { return &curl_; }
  // Any thread: makes the current or next Wait return at once.
  void Wake();
  void Add(uint64_t key, std::unique_ptr<PendingProbe> run);
  void Drop(uint64_t key);  // no outcome; unknown keys are ignored
  void Clear();
  size_t size() const { return runs_.size(); }
  // Waits until `until`, a Wake, or a run or request that can move; drives libcurl (whose callbacks run
  // here), steps the runs whose fd is ready, and ends those past their deadline. Returns the runs that ended.
  std::vector<Ended> Wait(SteadyTime until);

 private:
  int wake_fd_ = -1;
  CurlLoop curl_;  // before runs_: runs cancel their requests when destroyed
  std::map<uint64_t, std::unique_ptr<PendingProbe>> runs_;
};

}  // namespace crilet::probes
