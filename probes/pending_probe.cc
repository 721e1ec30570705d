// Blocking driver for a PendingProbe: poll its socket until an outcome, the deadline or a cancel.
#include "probes/pending_probe.h"

#include <poll.h>

#include <algorithm>

namespace crilet::probes {

ProbeOutcome WaitBlocking(PendingProbe* p, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled) {
  for (;;) {
    if (cancel && cancel->load()) return cancelled;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(p->deadline() - std::chrono::steady_clock::now());
    if (left.count() <= 0) return p->OnTimeout();
    pollfd pfd{p->fd(), p->events(), 0};
    int n = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 50)));
    if (n <= 0) continue;  // a slice passed (or EINTR): look at the deadline and the flag again
    PendingProbe::Step step = p->OnReady(pfd.revents);
    if (step.outcome) return *step.outcome;
    if (step.rest) return step.rest(cancel);
  }
}

}  // namespace crilet::probes
