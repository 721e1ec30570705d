/// LogRotator: kubelet's container log rotation: size-triggered rename, CRI ReopenContainerLog, gzip, file cap.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "cri/runtime.h"

namespace crilet::agent {

struct LogRotationOptions {
  int64_t max_size_bytes = 10 * 1024 * 1024;  // containerLogMaxSize (10Mi)
  int max_files = 5;                           // containerLogMaxFiles, the live file included
  std::chrono::nanoseconds interval = std::chrono::seconds(10);  // containerLogMonitorInterval
};

// Rotates the logs of running containers on its own thread (one pass per interval, like kubelet's single
// worker). RotateOnce is the pass itself, for tests.
class LogRotator {
 public:
  LogRotator(cri::Runtime* runtime, const Clock* clock, LogRotationOptions options);
  ~LogRotator();
  void Start();
  void Stop();
  void RotateOnce();

  // "<log>.<YYYYMMDD-hhmmss>", kubelet's rotated name.
  static std::string RotatedName(const std::string& log, TimePoint t);

 private:
  void Rotate(const std::string& container_id, const std::string& log);
  void Cleanup(const std::string& log);

  cri::Runtime* runtime_;
  const Clock* clock_;
  LogRotationOptions options_;
  std::mutex mu_;  // guards stop_ for the condition variable
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  std::map<std::string, std::string> log_paths_;  // container ID -> log path; RotateOnce's thread only
};

}  // namespace crilet::agent
