// Directory watching with inotify, a debounce window and periodic full rescans.
#include "manifests/dir_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <utility>

#include "manifests/loader.h"
#include "manifests/manifest_file.h"
#include "manifests/path_safety.h"
#include "manifests/yaml_guard.h"

namespace crilet::manifests {
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kWatchMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB |
                                IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr size_t kMaxSymlinkWatches = 64;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string HashBytes(const std::string& data) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64: only to notice that a file's bytes changed
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return std::to_string(h) + ":" + std::to_string(data.size());
}

// "/etc/kubernetes/manifests/" -> "/etc/kubernetes/manifests"; "" -> ".".
std::string Clean(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p.empty() ? "." : p;
}

std::string Parent(const std::string& p) {
  std::string parent = fs::path(p).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string Canonical(const std::string& p) {
  std::error_code ec;
  auto c = fs::canonical(p, ec);
  return ec ? "" : c.string();
}

std::string StatKey(const struct stat& info) {
  // Owner and mode are part of it: a chmod or chown changes whether the file may be loaded.
  return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) + ":" + std::to_string(info.st_size) + ":" +
         std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec) + ":" +
         std::to_string(info.st_uid) + ":" + std::to_string(info.st_gid) + ":" + std::to_string(info.st_mode);
}

// Why the file at `path`, whose stat (following symlinks) is `info`, must not be loaded; "" when it may.
std::string FileProblem(const std::string& path, const struct stat& info, const DirSource::Options& options) {
  if (std::string why = NotRegularProblem(info); !why.empty()) return why;
  if (!options.check_ownership) return "";
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    // Whoever owns the link could point it anywhere; the link's own mode means nothing.
    if (auto p = CheckOwnership(FileOwnership{link.st_uid, link.st_gid, 0}, options.euid); p.unsafe()) {
      p.fix = "chown -h root " + path;
      return RefusalMessage(p, "symlink ");
    }
  }
  if (auto p = CheckOwnership(FileOwnership{info.st_uid, info.st_gid, info.st_mode}, options.euid); p.unsafe()) {
    return RefusalMessage(p);
  }
  return "";
}

}  // namespace

bool IgnoredManifestName(const std::string& name) {
  if (name.empty() || name[0] == '.') return true;
  if (name.back() == '~') return true;
  if (name.size() > 1 && name.front() == '#' && name.back() == '#') return true;
  for (const char* s : {".swp", ".swx", ".swo", ".tmp", ".bak", ".rpmnew", ".rpmsave"}) {
    if (EndsWith(name, s)) return true;
  }
  if (name.find(".dpkg-") != std::string::npos) return true;
  return name == "4913";
}

DirSource::DirSource(Options options, std::function<void(const std::map<std::string, FileState>&)> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {
  options_.path = Clean(options_.path);
  if (options_.euid == kCurrentEuid) options_.euid = static_cast<uint32_t>(::geteuid());
}

DirSource::~DirSource() { Stop(); }

Status DirSource::Start() {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0) {
    return Status::Internal(std::string("cannot create inotify/eventfd descriptors: ") + std::strerror(errno));
  }
  RefreshWatches();
  ScanOnce(true);
  if (RefreshWatches()) ScanOnce();  // symlink targets found by the scan are watched from now on
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

std::map<std::string, DirSource::Interest> DirSource::WantedWatches(bool* missing) const {
  std::map<std::string, Interest> want;
  *missing = false;
  const std::string& path = options_.path;
  // The parent, for the path itself appearing, vanishing or being re-pointed (a symlink swapped in place).
  std::string parent = Canonical(Parent(path));
  if (parent.empty()) *missing = true;
  else want[parent].names.insert(fs::path(path).filename().string());

  std::error_code ec;
  std::string target = Canonical(path);
  if (target.empty()) {
    *missing = true;
  } else if (fs::is_directory(target, ec)) {
    want[target].all = true;
    // Symlinked manifests: the directory of each target, for edits made to the target itself.
    size_t links = 0;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::string name = entry.path().filename().string();
      if (IgnoredManifestName(name) || !entry.is_symlink(ec) || links >= kMaxSymlinkWatches) continue;
      std::string real = Canonical(entry.path().string());
      if (real.empty() || !fs::is_regular_file(real, ec)) continue;
      want[Parent(real)].names.insert(fs::path(real).filename().string());
      ++links;
    }
  } else if (target != path) {
    want[Parent(target)].names.insert(fs::path(target).filename().string());  // a symlinked single file
  }
  return want;
}

bool DirSource::RefreshWatches() {
  bool missing = false;
  std::map<std::string, Interest> want = WantedWatches(&missing);
  missing_ = missing;
  bool changed = false;
  for (auto it = watch_dirs_.begin(); it != watch_dirs_.end();) {
    if (!want.count(it->second)) {
      inotify_rm_watch(inotify_fd_, it->first);
      it = watch_dirs_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  for (const auto& [dir, interest] : want) {
    bool watched = false;
    for (const auto& [wd, d] : watch_dirs_) watched = watched || d == dir;
    if (watched) continue;
    int wd = inotify_add_watch(inotify_fd_, dir.c_str(), kWatchMask | IN_ONLYDIR);
    if (wd < 0) {
      missing_ = true;  // vanished meanwhile; the next poll tries again
      continue;
    }
    watch_dirs_[wd] = dir;
    changed = true;
  }
  for (const auto& [dir, interest] : want) {
    auto& mine = interests_[dir];
    if (mine.all != interest.all || mine.names != interest.names) changed = true;
  }
  interests_ = std::move(want);
  return changed;
}

SteadyClock::time_point DirSource::NextWriteExpiry() const {
  auto next = SteadyClock::time_point::max();
  for (const auto& [name, since] : writing_) next = std::min(next, since + options_.max_write_wait);
  return next;
}

void DirSource::ScanOnce(bool force) {
  auto now = SteadyClock::now();
  std::error_code ec;
  std::vector<std::string> paths;
  // In a directory that someone else could change, no file is loaded (each reports why).
  std::string dir_problem;
  if (fs::is_directory(options_.path, ec)) {
    if (options_.check_ownership) {
      if (auto p = InspectManifestPath(options_.path, options_.euid)) {
        if (p->symlink) p->problem.fix = "chown -h root";
        dir_problem = RefusalMessage(p->problem, std::string(p->symlink ? "symlink " : "directory ") + p->path + " is ",
                                     p->path);
      }
    }
    for (const auto& entry : fs::directory_iterator(options_.path, ec)) {
      std::string name = entry.path().filename().string();
      if (IgnoredManifestName(name)) continue;
      // Subdirectories are skipped, as kubelet does (no recursion); FIFOs, sockets, devices and symlinks to
      // them are listed, to be reported as errors of their own.
      std::error_code dir_ec;
      if (fs::is_directory(entry.path(), dir_ec)) continue;
      paths.push_back(entry.path().string());
    }
  } else if (fs::exists(fs::symlink_status(options_.path, ec))) {
    paths.push_back(options_.path);
  }
  std::sort(paths.begin(), paths.end());  // file-name order decides which duplicate wins

  for (auto it = writing_.begin(); it != writing_.end();) {
    // Forget writes that never closed (or that were in a symlink target's directory, named differently).
    it = now - it->second >= options_.max_write_wait ? writing_.erase(it) : std::next(it);
  }

  bool changed = false;
  std::map<std::string, FileState> next;
  for (const auto& path : paths) {
    auto known = files_.find(path);
    std::string name = fs::path(path).filename().string();
    auto w = writing_.find(name);
    if (w != writing_.end()) {
      if (now - w->second < options_.max_write_wait) {
        // Still open for writing: keep what the file said before; its close brings us back.
        if (known != files_.end()) next[path] = known->second;
        continue;
      }
    }
    struct stat info {};
    std::string stat_error;
    if (::stat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) continue;  // deleted since the listing, or a dangling symlink: no file to read
      stat_error = std::string("cannot read: ") + std::strerror(errno);
    }
    // The directory's verdict is part of the key, so a chmod of the directory re-judges every file.
    std::string stat_key = StatKey(info) + "|" + dir_problem;
    if (!force && known != files_.end() && known->second.stat_key == stat_key) {
      next[path] = known->second;
      continue;
    }
    std::string data, read_error;
    bool read = false;
    if (!dir_problem.empty()) {
      read_error = dir_problem;
    } else if (!stat_error.empty()) {
      read_error = stat_error;
    } else if (std::string why = FileProblem(path, info, options_); !why.empty()) {
      read_error = why;  // judged before opening: a device is never opened, an unsafe file never read
    } else {
      struct stat opened {};
      read = ReadManifestFile(path, &data, &opened, &read_error);
      if (read) {
        // Judge the file that was read, in case the path was swapped between the stat and the open.
        read_error = FileProblem(path, opened, options_);
        read = read_error.empty();
        stat_key = StatKey(opened) + "|" + dir_problem;
      }
    }
    std::string hash = read ? HashBytes(data) : "error:" + read_error;
    if (known != files_.end() && known->second.content_hash == hash) {
      next[path] = known->second;
      next[path].stat_key = stat_key;
      continue;
    }
    changed = true;
    FileState st;
    st.stat_key = stat_key;
    st.content_hash = hash;
    if (read && data.find_first_not_of(" \t\r\n") == std::string::npos) {
      // Kubelet refuses an empty file too. It is what a truncation or an unfinished write leaves: the pods
      // of the last valid version keep running; deleting the file is how its pods are removed.
      st.errors.push_back(FieldError{path, 0, "", "empty file: no pod (delete the file to remove its pods)"});
    } else if (read) {
      LoadOptions lo;
      lo.node_name = options_.node_name;
      lo.source = PodSource{"file", path, 0};
      lo.display_name = path;
      LoadResult r = LoadManifest(data, lo);
      st.errors = std::move(r.errors);
      st.warnings = std::move(r.warnings);
      st.pods = std::move(r.pods);
      st.objects = std::move(r.objects);
    } else {
      st.errors.push_back(FieldError{path, 0, "", read_error});
    }
    for (const auto& warning : st.warnings) spdlog::warn("{}", warning.ToString());
    std::string kept;
    if (st.errors.empty()) {
      st.ever_valid = true;
    } else {
      st.pods.clear();  // a file with any error yields no pod (or object) of its own
      st.objects = LocalObjects{};
      if (known != files_.end() && known->second.ever_valid) {
        // Kubelet would drop the pod; crilet keeps the last valid version running and reports the error.
        st.pods = known->second.pods;
        st.objects = known->second.objects;
        st.ever_valid = true;
        kept = " (keeping the last valid version of this file running)";
      }
    }
    // One line per error, saying what happens to the pods too: not an E line and then a W line about it.
    for (const auto& e : st.errors) spdlog::error("{}{}", e.ToString(), kept);
    next[path] = std::move(st);
  }
  for (const auto& [path, st] : files_) {
    if (!next.count(path)) changed = true;  // deleted, renamed away, or hidden
  }
  files_ = std::move(next);
  if (changed && on_change_) on_change_(files_);
}

bool DirSource::DrainEvents() {
  alignas(inotify_event) char buf[16 * 1024];
  auto cap = SteadyClock::now() + options_.debounce * 4;
  bool relevant = false;
  bool unsettled = false;  // a delete or rename-away, which an editor follows with the new file
  while (true) {
    ssize_t len = read(inotify_fd_, buf, sizeof buf);
    auto now = SteadyClock::now();
    for (char* p = buf; len > 0 && p < buf + len;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {  // events were lost: read everything again
        relevant = force_next_ = true;
        continue;
      }
      auto dir = watch_dirs_.find(ev->wd);
      if (dir == watch_dirs_.end()) continue;
      if (ev->mask & IN_IGNORED) {  // the directory itself is gone; the next refresh watches it again
        watch_dirs_.erase(dir);
        relevant = true;
        continue;
      }
      std::string name = ev->len > 0 ? std::string(ev->name) : "";
      const Interest& interest = interests_[dir->second];
      if (!name.empty() && (interest.all ? IgnoredManifestName(name) : !interest.names.count(name))) continue;
      relevant = true;
      if (name.empty()) continue;  // the directory itself (moved, deleted, attributes)
      if ((ev->mask & IN_CREATE) && !(ev->mask & IN_ISDIR)) {
        // A new empty regular file is about to be written; a symlink or a hard link is complete.
        struct stat info;
        std::string full = dir->second + "/" + name;
        if (lstat(full.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size == 0) writing_.emplace(name, now);
      }
      if (ev->mask & IN_MODIFY) writing_.emplace(name, now);
      if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)) writing_.erase(name);
      if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) unsettled = true;
    }
    if (now >= cap) break;
    auto quiet = (unsettled || !writing_.empty()) ? options_.debounce : options_.settle;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(cap - now);
    pollfd more{inotify_fd_, POLLIN, 0};
    if (poll(&more, 1, static_cast<int>(std::min(quiet, left).count())) <= 0) break;
  }
  return relevant;
}

void DirSource::Run() {
  auto next_resync = SteadyClock::now() + options_.resync;
  while (!stop_) {
    auto now = SteadyClock::now();
    auto deadline = std::min(next_resync, NextWriteExpiry());
    if (missing_) deadline = std::min(deadline, now + options_.missing_poll);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(std::clamp<int64_t>(wait + 1, 0, 60 * 60 * 1000)));
    if (stop_) break;
    bool scan = false;
    bool force = false;
    if (n > 0 && (fds[1].revents & POLLIN)) {
      uint64_t v;
      (void)!read(wake_fd_, &v, sizeof v);
    }
    if (rescan_.exchange(false)) scan = force = true;
    if (n > 0 && (fds[0].revents & POLLIN) && DrainEvents()) scan = true;
    now = SteadyClock::now();
    if (now >= next_resync) scan = force = true;
    if (now >= NextWriteExpiry()) scan = true;
    if (missing_ && RefreshWatches()) scan = true;
    if (std::exchange(force_next_, false)) scan = force = true;
    if (!scan) continue;
    ScanOnce(force);
    if (RefreshWatches()) ScanOnce();  // a new directory or symlink target: read what is already there
    if (force) next_resync = SteadyClock::now() + options_.resync;
  }
}

}  // namespace crilet::manifests
