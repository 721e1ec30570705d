// The threshold state machine of one probe worker.
#include "probes/probe_state.h"

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
  if (since_start < std::chrono::seconds(in.spec->initial_delay_seconds)) return TickAction::kSkip;
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

}  // namespace crilet::probes
