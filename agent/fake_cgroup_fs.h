/// FakeCgroupFs: an in-memory cgroup v1 tree for unit tests, with writes the "kernel" refuses on demand.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/cgroup_fs.h"

namespace crilet::agent {

class FakeCgroupFs : public CgroupFs {
 public:
  // Every controller's root exists; cpuset's root has cpus 0-1 and mems 0.
  explicit FakeCgroupFs(std::vector<std::string> controllers = {"cpu", "cpuacct", "cpuset", "memory", "pids"});

  // Writes of `file` (in any cgroup) fail with `message`, as the kernel refusing a value.
  void RefuseWrites(const std::string& file, const std::string& message) { refused_[file] = message; }
  // A directory that rmdir finds busy (processes still in it).
  void SetBusy(const std::string& controller, const std::string& path, bool busy);
  bool unified = false;

  // The value last written, "" if none.
  std::string Value(const std::string& controller, const std::string& path, const std::string& file) const;
  std::set<std::string> Dirs(const std::string& controller) const;

  bool Unified() const override { return unified; }
  std::vector<std::string> Controllers() const override { return controllers_; }
  // The controllers and the hierarchies crilet does not write to but the runtime fills (AddHierarchy).
  std::vector<std::string> Hierarchies() const override;
  void AddHierarchy(const std::string& name);
  bool Exists(const std::string& controller, const std::string& path) const override;
  Status MakeDir(const std::string& controller, const std::string& path) override;
  Status RemoveDir(const std::string& controller, const std::string& path) override;
  std::vector<std::string> Children(const std::string& controller, const std::string& path) const override;
  Status Write(const std::string& controller, const std::string& path, const std::string& file,
               const std::string& value) override;
  Status Read(const std::string& controller, const std::string& path, const std::string& file,
              std::string* value) const override;

 private:
  std::vector<std::string> controllers_;
  std::vector<std::string> other_hierarchies_;
  std::map<std::string, std::set<std::string>> dirs_;                  // controller -> paths
  std::map<std::string, std::string> files_;                          // "controller:path/file" -> value
  std::map<std::string, std::string> refused_;                        // file -> error
  std::set<std::string> busy_;                                        // "controller:path"
};

}  // namespace crilet::agent
