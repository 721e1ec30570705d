// The threshold state machine of one probe worker (kubelet's prober/worker.go doProbe).
#include "probes/probe_state.h"

#include <algorithm>

namespace crilet::probes {

Result InitialResult(ProbeType type) {
  switch (type) {
    case ProbeType::kReadiness: return Result::kFailure;
    case ProbeType::kLiveness: return Result::kSuccess;
    case ProbeType::kStartup: return Result::kUnknown;
  }
  return Result::kUnknown;
}

void NewContainer(ProbeState* s, ProbeType type, const std::string& container_id) {
  s->container_id = container_id;
  s->published = InitialResult(type);
  s->last = Result::kUnknown;
  s->run = 0;
  s->on_hold = false;
}

TickAction Decide(const ProbeState& s, const TickInput& in) {
  if (s.on_hold) return TickAction::kSkip;
  if (!in.running) return TickAction::kFailNotRunning;
  auto since_start = in.now - FromUnixNanos(in.started_at);
  if (since_start < in.spec->initial_delay_seconds * in.second) return TickAction::kSkip;
  if (in.started) {
    if (in.type == ProbeType::kStartup) return TickAction::kSkip;  // startup probing ends once started
  } else if (in.type != ProbeType::kStartup) {
    return TickAction::kSkip;  // liveness and readiness wait for the startup probe
  }
  return TickAction::kProbe;
}

bool Fold(ProbeState* s, ProbeType type, const manifests::Probe& spec, Result result) {
  if (result == s->last) {
    s->run++;
  } else {
    s->last = result;
    s->run = 1;
  }
  if ((result == Result::kFailure && s->run < spec.failure_threshold) ||
      (result == Result::kSuccess && s->run < spec.success_threshold)) {
    return false;
  }
  bool changed = s->published != result;
  s->published = result;
  if ((type == ProbeType::kLiveness || type == ProbeType::kStartup) && result == Result::kFailure) {
    s->on_hold = true;
    s->run = 0;
  }
  return changed;
}

bool FoldNotRunning(ProbeState* s) {
  if (s->container_id.empty()) return false;
  bool changed = s->published != Result::kFailure;
  s->published = Result::kFailure;
  return changed;
}

Duration FirstRunDelay(const FirstRunInput& in) {
  Duration since_start = in.now - FromUnixNanos(in.started_at);
  Duration delay = std::max<Duration>(in.spec->initial_delay_seconds * in.second - since_start, Duration{0});
  Duration period = in.spec->period_seconds * in.second;
  if (in.jitter && in.since_manager_start < period) {
    auto jitter = std::chrono::duration_cast<Duration>(period * std::clamp(in.random01, 0.0, 1.0));
    delay = std::max(delay, jitter);
  }
  return delay;
}

Duration AlignToSlot(Duration since_origin, Duration slot) {
  if (slot <= Duration{0}) return since_origin;
  Duration rem = since_origin % slot;
  if (rem < Duration{0}) rem += slot;  // before the origin: still round up
  return rem == Duration{0} ? since_origin : since_origin - rem + slot;
}

}  // namespace crilet::probes
