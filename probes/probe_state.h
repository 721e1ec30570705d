/// ProbeState: one probe worker's thresholds and hold logic (kubelet's prober worker), pure and clock-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "manifests/pod.h"
#include "probes/results.h"

namespace crilet::probes {

// The outcome of one probe run. `error` means the probe could not run (e.g. exec into a container that is
// going away): kubelet retries it up to 3 times and then drops it without changing any state.
struct ProbeOutcome {
  Result result = Result::kUnknown;
  std::string output;    // the failure message shown in the Unhealthy event
  bool error = false;
  bool warning = false;  // success with a warning (HTTP redirect not followed): a ProbeWarning event
};

// The initial result a new container gets: readiness Failure, liveness Success, startup Unknown.
Result InitialResult(ProbeType type);

struct ProbeState {
  std::string container_id;   // the instance these results belong to
  Result published = Result::kUnknown;
  Result last = Result::kUnknown;  // last raw result
  int run = 0;                // consecutive runs of `last`
  bool on_hold = false;       // liveness/startup failed: wait for a new container ID
};

// What a tick should do for a container in this state.
enum class TickAction { kSkip, kProbe, kFailNotRunning };

struct TickInput {
  ProbeType type;
  const manifests::Probe* spec = nullptr;
  bool running = false;
  int64_t started_at = 0;  // Unix ns
  bool started = false;    // the container passed its startup probe (or has none)
  TimePoint now;
};

// Kubelet's doProbe gates: not running => Failure; before initialDelaySeconds => skip; startup probes stop
// once started; liveness/readiness wait until started; on hold => skip.
TickAction Decide(const ProbeState& state, const TickInput& in);

// Folds a probe result in; returns true when the published result changed. Liveness/startup failures put
// the worker on hold until the container ID changes.
bool Fold(ProbeState* state, ProbeType type, const manifests::Probe& spec, Result result);

// Resets the state for a new container instance.
void NewContainer(ProbeState* state, ProbeType type, const std::string& container_id);

}  // namespace crilet::probes
