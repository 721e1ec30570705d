/// PendingProbe: a probe run started without blocking, for the probe loop to drive to its outcome.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "probes/probe_state.h"

namespace crilet {
class CurlLoop;
}

namespace crilet::probes {

// The probe manager's loop thread starts every probe run itself and waits for all of them in one poll, next
// to its timers: exec on the runtime's HTTP/2 channel, tcpSocket and grpc on a socket or eventfd of their
// own (fd()), httpGet on the loop's CurlLoop (fd() -1: the CurlLoop's sockets are polled instead, and
// Ready() tells when its callback brought the outcome). One object per run; it owns what it waits on and
// releases it (closes, cancels) when destroyed.
class PendingProbe {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  // What a step came to: the outcome, or nothing yet (wait again).
  struct Step {
    std::optional<ProbeOutcome> outcome;
  };

  explicit PendingProbe(SteadyTime deadline) : deadline_(deadline) {}
  virtual ~PendingProbe() = default;
  PendingProbe(const PendingProbe&) = delete;
  PendingProbe& operator=(const PendingProbe&) = delete;

  virtual int fd() const = 0;        // -1: nothing of its own to poll (see Ready)
  virtual short events() const = 0;  // POLLIN or POLLOUT, what the next step waits for
  // The fd polled ready (revents, which may hold POLLERR/POLLHUP), or Ready(): one non-blocking step.
  virtual Step OnReady(short revents) = 0;
  // Its outcome can be had without waiting for fd() (a shared connection delivered it while another run
  // read, a CurlLoop callback brought it): call OnReady now.
  virtual bool Ready() const { return false; }
  // The probe's deadline passed before an outcome: the timeout's outcome, worded like kubelet's.
  virtual ProbeOutcome OnTimeout() = 0;
  SteadyTime deadline() const { return deadline_; }

 private:
  SteadyTime deadline_;
};

// A probe started without blocking: the outcome when it was known at once (a refused connect, a bad port),
// else the run for the loop to drive.
struct ProbeStart {
  std::optional<ProbeOutcome> outcome;
  std::unique_ptr<PendingProbe> pending;
};

// Drives a pending probe to its end from the calling thread, polling its fd and `curl`'s sockets (curl may
// be null when the run does not use it) in 50 ms slices for `cancel` (may be null): for tests and callers
// without a loop. A cancelled run ends with `cancelled`.
ProbeOutcome WaitBlocking(PendingProbe* p, CurlLoop* curl, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled);
// The same for a ProbeStart: its outcome, or its pending run waited for.
ProbeOutcome WaitBlocking(ProbeStart start, CurlLoop* curl, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled);

}  // namespace crilet::probes
