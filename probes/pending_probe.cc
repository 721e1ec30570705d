// Blocking driver for a PendingProbe: poll its fd and the CurlLoop's until an outcome, the deadline or a cancel.
#include "probes/pending_probe.h"

#include <poll.h>

#include <algorithm>
#include <vector>

#include "common/curl_loop.h"

namespace crilet::probes {

ProbeOutcome WaitBlocking(PendingProbe* p, CurlLoop* curl, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled) {
  for (;;) {
    if (cancel && cancel->load()) return cancelled;
    const auto now = std::chrono::steady_clock::now();
    if (p->Ready()) {
      if (PendingProbe::Step step = p->OnReady(0); step.outcome) return *step.outcome;
    }
    if (now >= p->deadline()) return p->OnTimeout();
    auto until = std::min(p->deadline(), now + std::chrono::milliseconds(50));
    std::vector<pollfd> fds;
    if (p->fd() >= 0) fds.push_back(pollfd{p->fd(), p->events(), 0});
    const size_t own = fds.size();
    if (curl) {
      curl->AppendPollFds(&fds);
      until = std::min(until, curl->NextDeadline());
    }
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::max(until, now) - now);
    int n = poll(fds.data(), fds.size(), static_cast<int>(ms.count()));
    if (curl) curl->Process(fds.data() + own, fds.size() - own, std::chrono::steady_clock::now());
    if (n > 0 && own == 1 && fds[0].revents) {
      if (PendingProbe::Step step = p->OnReady(fds[0].revents); step.outcome) return *step.outcome;
    }
  }
}

ProbeOutcome WaitBlocking(ProbeStart start, CurlLoop* curl, const std::atomic<bool>* cancel, const ProbeOutcome& cancelled) {
  if (start.outcome) return *start.outcome;
  if (!start.pending) return ProbeOutcome{Result::kUnknown, "the probe could not start", true, false};
  return WaitBlocking(start.pending.get(), curl, cancel, cancelled);
}

}  // namespace crilet::probes
