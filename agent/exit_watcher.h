/// ExitWatcher: learns at once when a container's main process exits (pidfd + epoll), instead of at the next relist.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace crilet::agent {

// One thread waits on a pidfd per watched container. When a process exits, on_exit(pod_uid, container_id)
// runs on that thread. containerd records the exit a moment later (its shim reports it asynchronously), so
// the callee should re-check shortly rather than trust the runtime's state at once. The relist remains the
// safety net: a container that cannot be watched (no pidfd, pid gone) is still noticed within a period.
class ExitWatcher {
 public:
  explicit ExitWatcher(std::function<void(const std::string& pod_uid, const std::string& container_id)> on_exit);
  ~ExitWatcher();
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  void Start();
  void Stop();
  // Watches `pid` (host PID namespace) as container_id's main process. started_at_ns guards against a pid
  // that was already reused: a process that started more than 2 s away from the container is not watched.
  // Returns false when the process cannot be watched.
  bool Watch(const std::string& pod_uid, const std::string& container_id, pid_t pid, int64_t started_at_ns);
  void Forget(const std::string& container_id);
  bool Watching(const std::string& container_id) const;

 private:
  struct Entry {
    std::string pod_uid;
    int fd = -1;
  };
  void Run();

  std::function<void(const std::string&, const std::string&)> on_exit_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  mutable std::mutex mu_;  // guards entries_
  std::map<std::string, Entry> entries_;  // by container ID
  std::map<int, std::string> by_fd_;
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace crilet::agent
