/// FakeDiskUsage: directory and filesystem figures set by a unit test.
#pragma once

#include <map>
#include <string>

#include "agent/disk_usage.h"

namespace crilet::agent {

// Answers what the test set; anything else is missing.
class FakeDiskUsage : public DiskUsage {
 public:
  std::map<std::string, FsUsage> dirs;
  std::map<std::string, FsUsage> devices;
  std::optional<FsUsage> Dir(const std::string& path) const override;
  std::optional<FsUsage> Device(const std::string& path) const override;
};

}  // namespace crilet::agent
