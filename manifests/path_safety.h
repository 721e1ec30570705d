/// Path safety: whether anyone but root (or crilet's own user) could change a manifest path; manifests run
/// privileged containers as root, so such a path is refused unless --allow-insecure-manifest-dir is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crilet::manifests {

inline constexpr const char* kAllowInsecureManifestDirFlag = "--allow-insecure-manifest-dir";

struct FileOwnership {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;  // st_mode; only the permission bits are looked at
};

// Why a path with this owner and mode is unsafe, and how to fix it; both empty when it is safe.
struct OwnershipProblem {
  std::string reason;  // "world-writable (mode 0666)", "owned by uid 1000, neither root nor crilet's uid 0"
  std::string fix;     // "chmod go-w", "chown root", "chown root and chmod go-w"
  bool unsafe() const { return !reason.empty(); }
};

// Pure: unsafe when writable by others, or by the group unless the group is root (gid 0), or owned by a
// uid other than 0 and `euid` (crilet's effective uid).
OwnershipProblem CheckOwnership(const FileOwnership& f, uint32_t euid);

// "refusing manifest: world-writable (mode 0666); fix with chmod go-w or start with
// --allow-insecure-manifest-dir". `subject` goes before the reason ("directory /m is "), `target` after
// the fix command ("chmod go-w /m").
std::string RefusalMessage(const OwnershipProblem& p, const std::string& subject = "", const std::string& target = "");

// One unsafe path found by InspectManifestPath.
struct PathProblem {
  std::string path;       // the symlink itself, or the file or directory it leads to
  bool symlink = false;   // a symlink is judged by its owner only (its own mode means nothing)
  FileOwnership owner;
  OwnershipProblem problem;
};

// Looks at `path` (lstat, then stat when it is a symlink): the link by its owner, then what it leads to by
// owner and mode. nullopt when safe, or when the path does not exist (a missing path is not unsafe).
std::optional<PathProblem> InspectManifestPath(const std::string& path, uint32_t euid);

// The start-up verdict on --pod-manifest-path: "" when it is safe (or does not exist yet), else one line
// naming the path, its owner and mode, the fix and the override flag: "refusing manifest directory /m
// (owner uid 0, gid 1000, mode 0775) is group-writable (mode 0775, group 1000); fix with chmod go-w /m or
// start with --allow-insecure-manifest-dir". With `allowed` (the flag was given) it says that the path is
// loaded anyway instead. `noun` names what the path is for: "manifest", or "kubelet config" for --config,
// whose staticPodPath and settings are as powerful as a manifest.
std::string ManifestPathRefusal(const std::string& path, uint32_t euid, bool allowed = false,
                                const std::string& noun = "manifest");

// "0644"
std::string OctalMode(uint32_t mode);

}  // namespace crilet::manifests
