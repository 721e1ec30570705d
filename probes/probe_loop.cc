// One ppoll for every probe run in flight: their own fds, libcurl's sockets and timer, and a wake eventfd.
#include "probes/probe_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace crilet::probes {

ProbeLoop::ProbeLoop() { wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

ProbeLoop::~ProbeLoop() {
  runs_.clear();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void ProbeLoop::Wake() {
  uint64_t one = 1;
  // Only fails when the counter is about to overflow, and then the loop is awake anyway.
  (void)!write(wake_fd_, &one, sizeof one);
}

void ProbeLoop::Add(uint64_t key, std::unique_ptr<PendingProbe> run) { runs_[key] = std::move(run); }

void ProbeLoop::Drop(uint64_t key) { runs_.erase(key); }

void ProbeLoop::Clear() { runs_.clear(); }

std::vector<ProbeLoop::Ended> ProbeLoop::Wait(SteadyTime until) {
  auto now = std::chrono::steady_clock::now();
  std::vector<pollfd> fds;
  std::vector<PendingProbe*> polled;  // the run of fds[i + 1], for the runs with an fd of their own
  fds.reserve(runs_.size() + 8);
  fds.push_back(pollfd{wake_fd_, POLLIN, 0});
  for (auto& [key, run] : runs_) {
    // The fds are polled even when a deadline has already passed, so that an answer that came before it is
    // read rather than taken for a timeout.
    until = std::min(until, run->Ready() ? now : run->deadline());
    if (run->fd() >= 0) {
      fds.push_back(pollfd{run->fd(), run->events(), 0});
      polled.push_back(run.get());
    }
  }
  const size_t own = fds.size();
  curl_.AppendPollFds(&fds);
  until = std::min(until, curl_.NextDeadline());

  timespec ts{};
  timespec* timeout = nullptr;  // no timer and nothing waiting: until woken
  if (until != SteadyTime::max()) {
    auto ns = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(until - now).count());
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout = &ts;
  }
  if (ppoll(fds.data(), fds.size(), timeout, nullptr) < 0 && errno != EINTR) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // cannot happen with valid fds; do not spin
  }
  if (fds[0].revents) {
    uint64_t count = 0;
    (void)!read(wake_fd_, &count, sizeof count);
  }
  // libcurl first: its callbacks make httpGet runs Ready.
  curl_.Process(fds.data() + own, fds.size() - own, std::chrono::steady_clock::now());

  std::map<const PendingProbe*, short> revents;
  for (size_t i = 1; i < own; ++i) {
    if (fds[i].revents) revents[polled[i - 1]] = fds[i].revents;
  }
  std::vector<Ended> ended;
  now = std::chrono::steady_clock::now();
  for (auto it = runs_.begin(); it != runs_.end();) {
    PendingProbe* run = it->second.get();
    auto ready = revents.find(run);
    // Ready: runs on one shared connection read each other's answers, so one may be in without a poll event.
    if (ready != revents.end() || run->Ready()) {
      PendingProbe::Step step = run->OnReady(ready != revents.end() ? ready->second : 0);
      if (step.outcome) {
        ended.push_back(Ended{it->first, std::move(*step.outcome)});
        it = runs_.erase(it);
        continue;
      }
    }
    if (now >= run->deadline()) {
      ended.push_back(Ended{it->first, run->OnTimeout()});
      it = runs_.erase(it);
      continue;
    }
    ++it;
  }
  return ended;
}

}  // namespace crilet::probes
