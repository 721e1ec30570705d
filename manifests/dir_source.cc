// Directory watching with inotify, a debounce window and periodic full rescans.
#include "manifests/dir_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

#include "manifests/loader.h"
#include "manifests/parser.h"

namespace crilet::manifests {
namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string HashBytes(const std::string& data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return std::to_string(h) + ":" + std::to_string(data.size());
}

}  // namespace

bool IgnoredManifestName(const std::string& name) {
  if (name.empty() || name[0] == '.') return true;
  if (name.back() == '~') return true;
  if (name.size() > 1 && name.front() == '#' && name.back() == '#') return true;
  for (const char* s : {".swp", ".swx", ".swo", ".tmp"}) {
    if (EndsWith(name, s)) return true;
  }
  if (name.find(".dpkg-") != std::string::npos) return true;
  return name == "4913";
}

DirSource::DirSource(Options options, std::function<void(const std::map<std::string, FileState>&)> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {}

DirSource::~DirSource() { Stop(); }

Status DirSource::Start() {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0) return Status::Internal("cannot create inotify/eventfd descriptors");
  AddWatch();
  ScanOnce();
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void DirSource::Stop() {
  stop_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
}

void DirSource::Rescan() {
  rescan_ = true;
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
}

void DirSource::AddWatch() {
  if (watch_ >= 0 || inotify_fd_ < 0) return;
  std::error_code ec;
  // A single-file path is watched through its directory.
  std::string dir = fs::is_directory(options_.path, ec) ? options_.path : fs::path(options_.path).parent_path().string();
  if (dir.empty()) dir = ".";
  watch_ = inotify_add_watch(inotify_fd_, dir.c_str(),
                             IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB |
                                 IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF);
}

void DirSource::ScanOnce() {
  std::error_code ec;
  std::vector<std::string> paths;
  if (fs::is_directory(options_.path, ec)) {
    for (const auto& entry : fs::directory_iterator(options_.path, ec)) {
      std::string name = entry.path().filename().string();
      if (IgnoredManifestName(name)) continue;
      if (!fs::is_regular_file(entry.path(), ec)) continue;  // follows symlinks; skips subdirectories
      paths.push_back(entry.path().string());
    }
  } else if (fs::is_regular_file(options_.path, ec)) {
    paths.push_back(options_.path);
  }
  std::sort(paths.begin(), paths.end());

  bool changed = false;
  std::map<std::string, FileState> next;
  for (const auto& path : paths) {
    struct stat info;
    std::string stat_key;
    if (::stat(path.c_str(), &info) == 0) {
      stat_key = std::to_string(info.st_ino) + ":" + std::to_string(info.st_size) + ":" +
                 std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
    }
    auto known = files_.find(path);
    if (known != files_.end() && !stat_key.empty() && known->second.stat_key == stat_key) {
      next[path] = known->second;
      continue;
    }
    std::string data;
    {
      std::ifstream in(path, std::ios::binary);
      if (!in) continue;  // vanished between listing and reading
      in.seekg(0, std::ios::end);
      auto size = static_cast<size_t>(in.tellg());
      in.seekg(0);
      if (size > kMaxManifestBytes) {
        data.assign(kMaxManifestBytes + 1, ' ');  // the loader rejects it with the size message
      } else {
        data.resize(size);
        in.read(data.data(), static_cast<std::streamsize>(size));
      }
    }
    std::string hash = HashBytes(data);
    auto old = files_.find(path);
    if (old != files_.end() && old->second.content_hash == hash) {
      next[path] = old->second;
      next[path].stat_key = stat_key;
      continue;
    }
    changed = true;
    LoadOptions lo;
    lo.node_name = options_.node_name;
    lo.source = PodSource{"file", path, 0};
    lo.display_name = path;
    LoadResult r = LoadManifest(data, lo);
    FileState st;
    st.stat_key = stat_key;
    st.content_hash = hash;
    st.errors = r.errors;
    st.warnings = r.warnings;
    for (const auto& w : r.warnings) spdlog::warn("{}", w.ToString());
    if (r.errors.empty()) {
      st.pods = std::move(r.pods);
      st.ever_valid = true;
    } else {
      for (const auto& e : r.errors) spdlog::error("{}", e.ToString());
      if (old != files_.end() && old->second.ever_valid) {
        // Kubelet would drop the pod; crilet keeps the last valid version running and reports the error.
        st.pods = old->second.pods;
        st.ever_valid = true;
        spdlog::warn("{}: keeping the last valid version of this file running", path);
      }
    }
    next[path] = std::move(st);
  }
  if (next.size() != files_.size()) changed = true;
  files_ = std::move(next);
  if (changed && on_change_) on_change_(files_);
}

void DirSource::Run() {
  auto next_resync = std::chrono::steady_clock::now() + options_.resync;
  char buf[16 * 1024];
  while (!stop_) {
    if (watch_ < 0) AddWatch();
    auto now = std::chrono::steady_clock::now();
    // Without a watch (the directory does not exist yet), look again every second.
    auto wait = watch_ < 0 ? std::chrono::milliseconds(1000)
                           : std::chrono::duration_cast<std::chrono::milliseconds>(next_resync - now);
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(std::max<int64_t>(wait.count(), 0)));
    if (stop_) break;
    bool scan = n == 0 || rescan_.exchange(false);
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      (void)!read(wake_fd_, &v, sizeof v);
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
      // Drain events until quiet: `settle` when every event so far completed something (a close after
      // writing, a rename, a delete), else `debounce`; at most 4x the debounce in all.
      auto deadline = std::chrono::steady_clock::now() + options_.debounce * 4;
      bool partial = false;
      while (true) {
        ssize_t len = read(inotify_fd_, buf, sizeof buf);
        for (char* p = buf; len > 0 && p < buf + len;) {
          auto* ev = reinterpret_cast<inotify_event*>(p);
          if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
            inotify_rm_watch(inotify_fd_, watch_);
            watch_ = -1;
          }
          bool hidden = ev->len > 0 && IgnoredManifestName(ev->name);
          if (!hidden && (ev->mask & (IN_CREATE | IN_MODIFY))) partial = true;
          if (!hidden && (ev->mask & IN_CLOSE_WRITE)) partial = false;
          p += sizeof(inotify_event) + ev->len;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        pollfd more{inotify_fd_, POLLIN, 0};
        auto quiet = partial ? options_.debounce : options_.settle;
        if (poll(&more, 1, static_cast<int>(quiet.count())) <= 0) break;
      }
      scan = true;
    }
    if (scan) {
      ScanOnce();
      next_resync = std::chrono::steady_clock::now() + options_.resync;
    }
  }
}

}  // namespace crilet::manifests
