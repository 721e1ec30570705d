/// CgroupFs: the cgroup v1 file system as the pod cgroup manager uses it; RealCgroupFs on /sys/fs/cgroup, a fake for tests.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::agent {

// Paths are cgroupfs names ("/kubepods/burstable") inside one controller's hierarchy ("cpu", "memory"...).
// Errors carry the file and the kernel's reason ("write /sys/fs/cgroup/memory/kubepods/memory.limit_in_bytes:
// Invalid argument"). Implementations are called under the manager's lock: no locking of their own.
class CgroupFs {
 public:
  virtual ~CgroupFs() = default;
  // True when the machine runs the unified (v2) hierarchy; crilet writes pod cgroups on v1 only.
  virtual bool Unified() const = 0;
  // Which of cpu, cpuacct, cpuset, memory and pids are mounted, each hierarchy once (cpu and cpuacct
  // co-mounted count as cpu only).
  virtual std::vector<std::string> Controllers() const = 0;
  // Every mounted v1 hierarchy (blkio, devices, freezer, systemd... too), each once: the runtime creates a
  // container's cgroup, and so its pod cgroup, in all of them, and a pod's removal must clean them all.
  virtual std::vector<std::string> Hierarchies() const = 0;
  virtual bool Exists(const std::string& controller, const std::string& path) const = 0;
  // Creates one directory (the parent must exist); an existing one is fine.
  virtual Status MakeDir(const std::string& controller, const std::string& path) = 0;
  // Removes one empty cgroup; NotFound when it is not there.
  virtual Status RemoveDir(const std::string& controller, const std::string& path) = 0;
  // The names of the cgroup's child cgroups.
  virtual std::vector<std::string> Children(const std::string& controller, const std::string& path) const = 0;
  virtual Status Write(const std::string& controller, const std::string& path, const std::string& file,
                       const std::string& value) = 0;
  virtual Status Read(const std::string& controller, const std::string& path, const std::string& file,
                      std::string* value) const = 0;
};

class RealCgroupFs : public CgroupFs {
 public:
  explicit RealCgroupFs(std::string mount_root = "/sys/fs/cgroup") : root_(std::move(mount_root)) {}
  bool Unified() const override;
  std::vector<std::string> Controllers() const override;
  std::vector<std::string> Hierarchies() const override;
  bool Exists(const std::string& controller, const std::string& path) const override;
  Status MakeDir(const std::string& controller, const std::string& path) override;
  Status RemoveDir(const std::string& controller, const std::string& path) override;
  std::vector<std::string> Children(const std::string& controller, const std::string& path) const override;
  Status Write(const std::string& controller, const std::string& path, const std::string& file,
               const std::string& value) override;
  Status Read(const std::string& controller, const std::string& path, const std::string& file,
              std::string* value) const override;

 private:
  std::string Dir(const std::string& controller, const std::string& path) const;
  std::string root_;
};

}  // namespace crilet::agent
