/// DiskUsage: how much a directory holds and what its filesystem has left (du and statvfs), behind an interface
/// so the stats collector is tested without a disk; RealDiskUsage on the host, FakeDiskUsage (fake_disk_usage.h) for tests.
#pragma once

#include <optional>
#include <string>

#include "agent/usage.h"

namespace crilet::agent {

class DiskUsage {
 public:
  virtual ~DiskUsage() = default;
  // used_bytes (allocated blocks, as du counts them) and inodes_used of everything under `path`, not crossing
  // into other filesystems; nullopt when `path` does not exist.
  virtual std::optional<FsUsage> Dir(const std::string& path) const = 0;
  // capacity, available and inode figures of the filesystem holding `path` (statvfs); nullopt on error.
  virtual std::optional<FsUsage> Device(const std::string& path) const = 0;
};

class RealDiskUsage : public DiskUsage {
 public:
  std::optional<FsUsage> Dir(const std::string& path) const override;
  std::optional<FsUsage> Device(const std::string& path) const override;
};


}  // namespace crilet::agent
