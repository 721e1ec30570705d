/// PendingProbe: a probe run started without blocking that waits on one socket, for a poll loop to drive.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "probes/probe_state.h"

namespace crilet::probes {

// The probe scheduler's timer thread starts tcpSocket and plain-HTTP probes itself and waits for their
// sockets in its own poll, next to its timers, instead of handing each run to a pool thread that would block
// in connect and recv. One object per run; it owns its socket and closes it when destroyed.
class PendingProbe {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  // What a step came to: the outcome, or (rarely) the rest of the run for a thread that may block (an HTTP
  // redirect to follow), or neither (wait for the socket again).
  struct Step {
    std::optional<ProbeOutcome> outcome;
    std::function<ProbeOutcome(const std::atomic<bool>* cancel)> rest;
  };

  explicit PendingProbe(SteadyTime deadline) : deadline_(deadline) {}
  virtual ~PendingProbe() = default;
  PendingProbe(const PendingProbe&) = delete;
  PendingProbe& operator=(const PendingProbe&) = delete;

  virtual int fd() const = 0;
  virtual short events() const = 0;  // POLLIN or POLLOUT, what the next step waits for
  // The socket polled ready (revents, which may hold POLLERR/POLLHUP): one non-blocking step.
  virtual Step OnReady(short revents) = 0;
  // Its outcome can be had without waiting for the socket (a shared connection delivered it while another
  // run read): call OnReady now.
  virtual bool Ready() const { return false; }
  // The probe's deadline passed before an outcome: the timeout's outcome, worded like kubelet's.
  virtual ProbeOutcome OnTimeout() = 0;
  SteadyTime deadline() const { return deadline_; }

 private:
  SteadyTime deadline_;
};

// A probe started by a caller that must not block: the outcome when it was known at once, or the run still
// waiting on its socket; neither when the probe cannot start that way (a host name to resolve, HTTPS, a bad
// port), and the caller runs the blocking handler on a thread instead.
struct ProbeStart {
  std::optional<ProbeOutcome> outcome;
  std::unique_ptr<PendingProbe> pending;
};

// Drives a pending probe to its end from the calling thread (polling in 50 ms slices for `cancel`, which
// may be null): for tests and for callers without a loop. A cancelled run ends with `cancelled`.
ProbeOutcome WaitBlocking(PendingProbe* p, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled);

}  // namespace crilet::probes
