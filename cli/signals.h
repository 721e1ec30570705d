/// Signal sets for the CLI's commands and the daemon: blocking them before threads start, waiting for one, or polling a signalfd.
#pragma once

#include <signal.h>

#include <chrono>
#include <initializer_list>

namespace crilet::cli {

sigset_t SignalSet(std::initializer_list<int> signals);

// SIGINT, SIGTERM and SIGHUP: what ends the daemon (SIGHUP rescans) and what makes crilet debug clean up.
sigset_t StopSignalSet();

// Blocks `set` in the calling thread, and so in every thread it starts later. Call it first thing, before a
// gRPC channel starts its threads: a thread with the signal unblocked would take it and drop it.
void BlockSignals(const sigset_t& set);

// Waits up to `d` for a (blocked) signal of `set`; returns it, or 0 when none came.
int WaitSignal(const sigset_t& set, std::chrono::milliseconds d);

// A signalfd for `set` (blocked first with BlockSignals), readable while one is pending; fd() is -1 when it
// cannot be made.
class SignalFd {
 public:
  explicit SignalFd(const sigset_t& set);
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace crilet::cli
