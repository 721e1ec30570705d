// pidfd-based exit notification.
#include "agent/exit_watcher.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace crilet::agent {
namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// The process's start time in Unix ns, from /proc/<pid>/stat (field 22, clock ticks after boot) and btime.
int64_t ProcessStartNs(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) start_ticks = std::strtoull(field.c_str(), nullptr, 10);
  }
  std::ifstream proc("/proc/stat");
  long long btime = 0;
  while (std::getline(proc, line)) {
    if (line.rfind("btime ", 0) == 0) btime = std::atoll(line.c_str() + 6);
  }
  long hz = sysconf(_SC_CLK_TCK);
  return btime * 1000000000LL + static_cast<int64_t>(start_ticks) * (1000000000LL / hz);
}

}  // namespace

ExitWatcher::ExitWatcher(std::function<void(const std::string&, const std::string&)> on_exit)
    : on_exit_(std::move(on_exit)) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

ExitWatcher::~ExitWatcher() {
  Stop();
  for (auto& [id, e] : entries_) close(e.fd);
  close(epoll_fd_);
  close(wake_fd_);
}

void ExitWatcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ExitWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

bool ExitWatcher::Watch(const std::string& pod_uid, const std::string& container_id, pid_t pid, int64_t started_at_ns) {
  if (pid <= 0) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.count(container_id)) return true;
  }
  int fd = PidfdOpen(pid);
  if (fd < 0) return false;
  int64_t proc_start = ProcessStartNs(pid);
  if (started_at_ns > 0 && proc_start > 0 && std::llabs(proc_start - started_at_ns) > 2000000000LL) {
    close(fd);  // the pid now belongs to another process
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    close(fd);
    return false;
  }
  entries_[container_id] = Entry{pod_uid, fd};
  by_fd_[fd] = container_id;
  return true;
}

void ExitWatcher::Forget(const std::string& container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(container_id);
  if (it == entries_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.fd, nullptr);
  close(it->second.fd);
  by_fd_.erase(it->second.fd);
  entries_.erase(it);
}

bool ExitWatcher::Watching(const std::string& container_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.count(container_id) > 0;
}

void ExitWatcher::Run() {
  epoll_event events[32];
  while (true) {
    int n = epoll_wait(epoll_fd_, events, 32, -1);
    if (n < 0) continue;  // EINTR
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        continue;
      }
      std::string uid, id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = by_fd_.find(fd);
        if (it == by_fd_.end()) continue;
        id = it->second;
        uid = entries_[id].pod_uid;
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        by_fd_.erase(it);
        entries_.erase(id);
      }
      on_exit_(uid, id);
    }
  }
}

}  // namespace crilet::agent
