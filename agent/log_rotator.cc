// Container log rotation, after kubelet's pkg/kubelet/logs.
#include "agent/log_rotator.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

namespace crilet::agent {
namespace fs = std::filesystem;

namespace {

bool Gzip(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return false;
  gzFile out = gzopen((to + ".tmp").c_str(), "wb");
  if (!out) return false;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    if (gzwrite(out, buf, static_cast<unsigned>(in.gcount())) <= 0) {
      gzclose(out);
      return false;
    }
  }
  if (gzclose(out) != Z_OK) return false;
  std::error_code ec;
  fs::rename(to + ".tmp", to, ec);
  return !ec;
}

}  // namespace

LogRotator::LogRotator(cri::Runtime* runtime, const Clock* clock, LogRotationOptions options)
    : runtime_(runtime), clock_(clock), options_(options) {}

LogRotator::~LogRotator() { Stop(); }

void LogRotator::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, options_.interval, [&] { return stop_; })) {
      lock.unlock();
      RotateOnce();
      lock.lock();
    }
  });
}

void LogRotator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string LogRotator::RotatedName(const std::string& log, TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return log + "." + buf;
}

void LogRotator::RotateOnce() {
  cri::ContainerFilter running;
  running.state = cri::ContainerState::kRunning;
  std::vector<cri::Container> list;
  if (!runtime_->ListContainers(running, &list).ok()) return;
  // A container's log path never changes, so it is asked for once per container, not once per pass: at
  // 100 containers and a 10 s interval that was 10 ContainerStatus calls a second on an idle node.
  std::map<std::string, std::string> seen;
  for (const auto& c : list) {
    auto known = log_paths_.find(c.id);
    std::string path;
    if (known != log_paths_.end()) {
      path = known->second;
    } else {
      cri::ContainerStatus st;
      if (!runtime_->ContainerStatus(c.id, false, &st).ok()) continue;
      path = st.log_path;
    }
    seen[c.id] = path;
    if (path.empty()) continue;
    Cleanup(path);
    struct stat info;
    if (::stat(path.c_str(), &info) != 0 || info.st_size < options_.max_size_bytes) continue;
    Rotate(c.id, path);
  }
  log_paths_ = std::move(seen);  // forget containers that stopped
}

void LogRotator::Rotate(const std::string& container_id, const std::string& log) {
  std::string rotated = RotatedName(log, clock_->Now());
  std::error_code ec;
  fs::rename(log, rotated, ec);
  if (ec) {
    spdlog::warn("log rotation: cannot rename {}: {}", log, ec.message());
    return;
  }
  // The runtime keeps writing to the renamed file until it reopens the path.
  if (Status s = runtime_->ReopenContainerLog(container_id); !s.ok()) {
    spdlog::warn("log rotation: {}; restoring {}", s.message(), log);
    fs::rename(rotated, log, ec);  // the container may have stopped: keep its log where readers look
    return;
  }
  Cleanup(log);
}

void LogRotator::Cleanup(const std::string& log) {
  // Rotated files: "<log>.<stamp>" (older ones gzipped: "<log>.<stamp>.gz"), oldest first by name.
  fs::path dir = fs::path(log).parent_path();
  std::string prefix = fs::path(log).filename().string() + ".";
  std::vector<std::string> rotated;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) != ".tmp") rotated.push_back(e.path().string());
  }
  std::sort(rotated.begin(), rotated.end());
  // Keep max_files - 1 rotated files beside the live one.
  size_t keep = options_.max_files > 1 ? static_cast<size_t>(options_.max_files - 1) : 0;
  while (rotated.size() > keep) {
    fs::remove(rotated.front(), ec);
    rotated.erase(rotated.begin());
  }
  // All but the newest rotated file are compressed.
  for (size_t i = 0; i + 1 < rotated.size(); ++i) {
    const std::string& f = rotated[i];
    if (f.size() > 3 && f.substr(f.size() - 3) == ".gz") continue;
    if (Gzip(f, f + ".gz")) fs::remove(f, ec);
  }
}

}  // namespace crilet::agent
