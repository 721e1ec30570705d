/// ProbeState: one probe worker's thresholds, gates and first-run time (kubelet's prober worker), pure and clock-free.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "manifests/pod.h"
#include "probes/results.h"

namespace crilet::probes {

// The outcome of one probe run. `error` means the probe could not run (e.g. exec into a container that is
// going away, a named port that does not exist): kubelet retries it up to 3 times in the same tick and then
// drops it without changing any state.
struct ProbeOutcome {
  Result result = Result::kUnknown;
  std::string output;    // the failure message shown in the Unhealthy event (or the error)
  bool error = false;
  bool warning = false;  // success with a warning (HTTP redirect not followed): a ProbeWarning event
};

// Kubelet's maxProbeRetries: attempts per tick while the probe errors.
inline constexpr int kMaxProbeAttempts = 3;

// The initial result a new container gets: readiness Failure, liveness Success, startup Unknown.
Result InitialResult(ProbeType type);

struct ProbeState {
  std::string container_id;         // the instance these results belong to ("" = none yet)
  Result published = Result::kUnknown;
  Result last = Result::kUnknown;   // last raw result
  int run = 0;                      // consecutive runs of `last`
  bool on_hold = false;             // liveness/startup failed: wait for a new container ID
};

// What a tick should do for a container in this state.
enum class TickAction { kSkip, kProbe, kFailNotRunning };

struct TickInput {
  ProbeType type = ProbeType::kReadiness;
  const manifests::Probe* spec = nullptr;
  bool running = false;
  int64_t started_at = 0;  // Unix ns
  bool started = false;    // the container passed its startup probe (or has none)
  TimePoint now;
  Duration second = std::chrono::seconds(1);  // how long one spec second lasts (ProbeManager tests shorten it)
};

// Kubelet's doProbe gates, in its order: on hold => skip; not running => Failure; before
// initialDelaySeconds => skip; startup probes stop once started; liveness/readiness wait until started.
TickAction Decide(const ProbeState& state, const TickInput& in);

// Folds a probe result in; returns true when the published result changed. The published result moves only
// after failureThreshold/successThreshold equal results in a row. A liveness/startup Failure puts the worker
// on hold until the container ID changes (kubelet avoids exec into a container being killed).
bool Fold(ProbeState* state, ProbeType type, const manifests::Probe& spec, Result result);

// A tick found the container not running: kubelet publishes Failure at once, without thresholds or hold.
bool FoldNotRunning(ProbeState* state);

// Resets the state for a new container instance (initial result, no run, no hold).
void NewContainer(ProbeState* state, ProbeType type, const std::string& container_id);

// When a new container instance is probed first, as a delay from `now`: once initialDelaySeconds have passed
// since it started (at once if they have). Within one period of crilet's start, kubelet also waits a random
// part of a period (random01 in [0, 1)) so that a restarted node's probes do not all fire together.
struct FirstRunInput {
  const manifests::Probe* spec = nullptr;
  int64_t started_at = 0;         // Unix ns
  TimePoint now;
  Duration since_manager_start{};
  double random01 = 0;
  bool jitter = true;             // false: tests that need a deterministic first run
  Duration second = std::chrono::seconds(1);
};
Duration FirstRunDelay(const FirstRunInput& in);

// Start times are kept on a grid of `slot` (counted from `since_origin` = 0): returns the first grid point at or
// after `since_origin`. Runs that share a grid point start in one wake-up of the scheduler instead of one each,
// which on a node with many probes costs measurably less CPU (BENCHMARKS.md, "probe start slots"). A zero or
// negative slot leaves the time as it is.
Duration AlignToSlot(Duration since_origin, Duration slot);

}  // namespace crilet::probes
