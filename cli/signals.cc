// Signal masks, sigtimedwait and signalfd.
#include "cli/signals.h"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace crilet::cli {

sigset_t SignalSet(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  return set;
}

sigset_t StopSignalSet() { return SignalSet({SIGINT, SIGTERM, SIGHUP}); }

void BlockSignals(const sigset_t& set) { pthread_sigmask(SIG_BLOCK, &set, nullptr); }

int WaitSignal(const sigset_t& set, std::chrono::milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>((d.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

SignalFd::SignalFd(const sigset_t& set) { fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC); }

SignalFd::~SignalFd() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace crilet::cli
