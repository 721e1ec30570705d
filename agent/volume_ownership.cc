// fsGroup ownership of volume directories, as kubelet's SetVolumeOwnership/changeFilePermission.
#include "agent/volume_ownership.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace crilet::agent {
namespace {

constexpr mode_t kRwMask = 0660;
constexpr mode_t kRoMask = 0440;
constexpr mode_t kExecMask = 0110;

void ChangeOne(const std::string& path, const struct stat& st, int64_t fs_group, bool readonly) {
  // Failures are not fatal, as in kubelet: the container may still manage with what it gets.
  (void)::lchown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(fs_group));
  // chmod follows a symlink to its target, which would override that file's own mode: skipped.
  if (S_ISLNK(st.st_mode)) return;
  (void)::chmod(path.c_str(), OwnershipMode(st.st_mode & 07777, S_ISDIR(st.st_mode), readonly));
}

// Children first, then the entry itself (kubelet's walkDeep), without following symlinks.
Status Walk(const std::string& path, const struct stat& st, int64_t fs_group, bool readonly, int depth) {
  if (S_ISDIR(st.st_mode)) {
    if (depth > 256) return Status::InvalidArgument("set volume ownership: " + path + ": directories nested too deep");
    DIR* d = ::opendir(path.c_str());
    if (!d) return Status::Internal("set volume ownership: open " + path + ": " + std::strerror(errno));
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    for (const auto& name : names) {
      std::string child = path + "/" + name;
      struct stat cst;
      if (::lstat(child.c_str(), &cst) != 0) continue;  // removed meanwhile
      if (Status s = Walk(child, cst, fs_group, readonly, depth + 1); !s.ok()) return s;
    }
  }
  ChangeOne(path, st, fs_group, readonly);
  return Status::Ok();
}

}  // namespace

bool RequiresPermissionChange(bool is_dir, gid_t gid, mode_t mode, int64_t fs_group, bool readonly) {
  if (static_cast<int64_t>(gid) != fs_group) return true;
  if (!is_dir) return true;
  mode_t want = (readonly ? kRoMask : kRwMask) | kExecMask;
  // The root's permissions must be a superset of what is wanted, and setgid set.
  return (mode & 0777 & want) != want || (mode & S_ISGID) == 0;
}

mode_t OwnershipMode(mode_t mode, bool is_dir, bool readonly) {
  mode_t mask = readonly ? kRoMask : kRwMask;
  if (is_dir) mask |= S_ISGID | kExecMask;
  return mode | mask;
}

Status SetVolumeOwnership(const std::string& dir, int64_t fs_group, const std::string& policy, bool readonly) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) {
    return Status::Internal("set volume ownership: " + dir + ": " + std::strerror(errno));
  }
  if (policy == "OnRootMismatch" && !RequiresPermissionChange(S_ISDIR(st.st_mode), st.st_gid, st.st_mode, fs_group, readonly)) {
    return Status::Ok();
  }
  return Walk(dir, st, fs_group, readonly, 0);
}

}  // namespace crilet::agent
