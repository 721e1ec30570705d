// RealDiskUsage: a walk of the directory (lstat, no symlinks followed, one filesystem) and statvfs.
#include "agent/disk_usage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace crilet::agent {

std::optional<FsUsage> RealDiskUsage::Dir(const std::string& path) const {
  struct stat top {};
  if (lstat(path.c_str(), &top) != 0) return std::nullopt;
  FsUsage u;
  uint64_t bytes = static_cast<uint64_t>(top.st_blocks) * 512, inodes = 1;
  if (S_ISDIR(top.st_mode)) {
    std::error_code ec;
    namespace fs = std::filesystem;
    // Errors (a file removed during the walk, an unreadable directory) skip that entry: a usage figure is an
    // estimate, as du's is.
    for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      struct stat st {};
      if (lstat(it->path().c_str(), &st) != 0) continue;
      if (st.st_dev != top.st_dev) {  // a mount inside (a volume): not this directory's usage
        if (S_ISDIR(st.st_mode)) it.disable_recursion_pending();
        continue;
      }
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
      inodes++;
    }
  }
  u.used_bytes = bytes;
  u.inodes_used = inodes;
  return u;
}

std::optional<FsUsage> RealDiskUsage::Device(const std::string& path) const {
  struct statvfs s {};
  if (statvfs(path.c_str(), &s) != 0) return std::nullopt;
  FsUsage u;
  u.capacity_bytes = static_cast<uint64_t>(s.f_blocks) * s.f_frsize;
  u.available_bytes = static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
  u.used_bytes = static_cast<uint64_t>(s.f_blocks - s.f_bfree) * s.f_frsize;
  u.inodes = s.f_files;
  u.inodes_free = s.f_ffree;
  u.inodes_used = s.f_files - s.f_ffree;
  return u;
}

}  // namespace crilet::agent
