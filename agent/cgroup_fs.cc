// RealCgroupFs: plain file operations under the cgroup mount.
#include "agent/cgroup_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace crilet::agent {
namespace {

Status Errno(const std::string& op, const std::string& path, int err) {
  std::string msg = op + " " + path + ": " + std::strerror(err);
  return err == ENOENT ? Status::NotFound(msg) : Status::Internal(msg);
}

}  // namespace

std::string RealCgroupFs::Dir(const std::string& controller, const std::string& path) const {
  return root_ + "/" + controller + (path == "/" ? "" : path);
}

bool RealCgroupFs::Unified() const {
  std::error_code ec;
  return std::filesystem::exists(root_ + "/cgroup.controllers", ec);
}

std::vector<std::string> RealCgroupFs::Controllers() const {
  std::vector<std::string> out;
  std::set<std::string> seen;  // canonical hierarchy directories
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids"}) {
    std::error_code ec;
    std::string dir = root_ + "/" + c;
    if (!std::filesystem::exists(dir + "/cgroup.procs", ec)) continue;
    std::string canonical = std::filesystem::canonical(dir, ec).string();
    if (ec || !seen.insert(canonical).second) continue;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> RealCgroupFs::Hierarchies() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root_, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    std::error_code e;
    std::string dir = it->path().string();
    if (!std::filesystem::exists(dir + "/cgroup.procs", e)) continue;
    std::string canonical = std::filesystem::canonical(dir, e).string();
    if (e || !seen.insert(canonical).second) continue;
    out.push_back(it->path().filename().string());
  }
  return out;
}

bool RealCgroupFs::Exists(const std::string& controller, const std::string& path) const {
  struct stat st {};
  return ::stat(Dir(controller, path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status RealCgroupFs::MakeDir(const std::string& controller, const std::string& path) {
  std::string dir = Dir(controller, path);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir", dir, errno);
  return Status::Ok();
}

Status RealCgroupFs::RemoveDir(const std::string& controller, const std::string& path) {
  std::string dir = Dir(controller, path);
  if (::rmdir(dir.c_str()) != 0) return Errno("rmdir", dir, errno);
  return Status::Ok();
}

std::vector<std::string> RealCgroupFs::Children(const std::string& controller, const std::string& path) const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(Dir(controller, path), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) out.push_back(it->path().filename().string());
  }
  return out;
}

Status RealCgroupFs::Write(const std::string& controller, const std::string& path, const std::string& file,
                           const std::string& value) {
  std::string name = Dir(controller, path) + "/" + file;
  int fd = ::open(name.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", name, errno);
  // One write(2): the kernel parses the value at once and reports a refusal as the write's error.
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n < 0) return Errno("write " + value + " to", name, err);
  return Status::Ok();
}

Status RealCgroupFs::Read(const std::string& controller, const std::string& path, const std::string& file,
                          std::string* value) const {
  std::string name = Dir(controller, path) + "/" + file;
  std::ifstream in(name);
  if (!in) return Status::NotFound("read " + name + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  *value = ss.str();
  while (!value->empty() && (value->back() == '\n' || value->back() == ' ')) value->pop_back();
  return Status::Ok();
}

}  // namespace crilet::agent
