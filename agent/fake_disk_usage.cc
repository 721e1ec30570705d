// FakeDiskUsage: lookups in the maps a test filled.
#include "agent/fake_disk_usage.h"

namespace crilet::agent {

std::optional<FsUsage> FakeDiskUsage::Dir(const std::string& path) const {
  auto it = dirs.find(path);
  return it == dirs.end() ? std::nullopt : std::optional<FsUsage>(it->second);
}

std::optional<FsUsage> FakeDiskUsage::Device(const std::string& path) const {
  auto it = devices.find(path);
  return it == devices.end() ? std::nullopt : std::optional<FsUsage>(it->second);
}

}  // namespace crilet::agent
