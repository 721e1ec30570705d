/// SetVolumeOwnership: kubelet's fsGroup handling of a volume directory (pkg/volume/volume_linux.go).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/status.h"

namespace crilet::agent {

// Kubelet's requiresPermissionChange, the OnRootMismatch test on the volume root's stat: true unless the
// root is a directory of group fs_group whose mode has the group bits rw (r- if read-only) plus x and setgid.
bool RequiresPermissionChange(bool is_dir, gid_t gid, mode_t mode, int64_t fs_group, bool readonly);

// The mode kubelet's changeFilePermission leaves on one entry: mode | rw for user and group (r- if read-only),
// plus x and setgid for directories.
mode_t OwnershipMode(mode_t mode, bool is_dir, bool readonly);

// Gives fs_group group ownership of everything under dir (lchown, so symlinks themselves), with the modes
// above (symlinks keep theirs), the root last. With policy "OnRootMismatch" nothing is done when the root
// already matches (RequiresPermissionChange false); "" and "Always" always walk. A single entry that
// cannot be changed does not stop the walk (kubelet logs it); failing to read a directory is an error.
Status SetVolumeOwnership(const std::string& dir, int64_t fs_group, const std::string& policy, bool readonly);

}  // namespace crilet::agent
