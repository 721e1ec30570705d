// Owner and mode rules for manifest paths, and the lstat/stat look at one path.
#include "manifests/path_safety.h"

#include <sys/stat.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace crilet::manifests {

std::string OctalMode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

OwnershipProblem CheckOwnership(const FileOwnership& f, uint32_t euid) {
  OwnershipProblem out;
  bool chown = f.uid != 0 && f.uid != euid;
  bool world = (f.mode & S_IWOTH) != 0;
  bool group = (f.mode & S_IWGRP) != 0 && f.gid != 0;  // a root group is as trusted as root
  if (chown) {
    out.reason = "owned by uid " + std::to_string(f.uid) +
                 (euid == 0 ? ", not root" : ", neither root nor crilet's uid " + std::to_string(euid));
  }
  std::string mode_reason;
  if (world) mode_reason = "world-writable (mode " + OctalMode(f.mode) + ")";
  else if (group) mode_reason = "group-writable (mode " + OctalMode(f.mode) + ", group " + std::to_string(f.gid) + ")";
  if (!mode_reason.empty()) out.reason += (out.reason.empty() ? "" : " and ") + mode_reason;
  if (chown) out.fix = "chown root";
  if (world || group) out.fix += (out.fix.empty() ? "" : " and ") + std::string("chmod go-w");
  return out;
}

std::string RefusalMessage(const OwnershipProblem& p, const std::string& subject, const std::string& target) {
  return "refusing manifest: " + subject + p.reason + "; fix with " + p.fix + (target.empty() ? "" : " " + target) +
         " or start with " + kAllowInsecureManifestDirFlag;
}

std::optional<PathProblem> InspectManifestPath(const std::string& path, uint32_t euid) {
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) return std::nullopt;
  if (S_ISLNK(link.st_mode)) {
    // Only the link's owner matters: whoever owns it could have pointed it anywhere.
    FileOwnership o{link.st_uid, link.st_gid, 0};
    if (auto p = CheckOwnership(o, euid); p.unsafe()) return PathProblem{path, true, {link.st_uid, link.st_gid, link.st_mode}, p};
  }
  struct stat target {};
  if (::stat(path.c_str(), &target) != 0) return std::nullopt;  // a dangling symlink: nothing to read
  FileOwnership o{target.st_uid, target.st_gid, target.st_mode};
  if (auto p = CheckOwnership(o, euid); p.unsafe()) {
    std::string shown = path;
    if (S_ISLNK(link.st_mode)) {
      char real[PATH_MAX];
      if (::realpath(path.c_str(), real) != nullptr) shown = real;  // the file to fix is the target
    }
    return PathProblem{shown, false, o, p};
  }
  return std::nullopt;
}

std::string ManifestPathRefusal(const std::string& path, uint32_t euid, bool allowed, const std::string& noun) {
  auto p = InspectManifestPath(path, euid);
  if (!p) return "";
  struct stat st {};
  std::string kind = p->symlink ? "symlink" : ::stat(p->path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "directory" : "file";
  if (p->symlink) p->problem.fix = "chown -h root";
  std::string what = noun + " " + kind + " " + p->path + " (owner uid " + std::to_string(p->owner.uid) + ", gid " +
                     std::to_string(p->owner.gid) + (p->symlink ? "" : ", mode " + OctalMode(p->owner.mode)) +
                     ") is " + p->problem.reason;
  if (allowed) return what + "; loading it anyway (" + kAllowInsecureManifestDirFlag + ")";
  return "refusing " + what + "; fix with " + p->problem.fix + " " + p->path + " or start with " +
         kAllowInsecureManifestDirFlag;
}

}  // namespace crilet::manifests
