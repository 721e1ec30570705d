// FakeCgroupFs: maps of directories and file values.
#include "agent/fake_cgroup_fs.h"

namespace crilet::agent {
namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string Key(const std::string& controller, const std::string& path, const std::string& file) {
  return controller + ":" + path + "/" + file;
}

}  // namespace

FakeCgroupFs::FakeCgroupFs(std::vector<std::string> controllers) : controllers_(std::move(controllers)) {
  for (const auto& c : controllers_) dirs_[c].insert("/");
  files_[Key("cpuset", "/", "cpuset.cpus")] = "0-1";
  files_[Key("cpuset", "/", "cpuset.mems")] = "0";
}

std::vector<std::string> FakeCgroupFs::Hierarchies() const {
  std::vector<std::string> out = controllers_;
  out.insert(out.end(), other_hierarchies_.begin(), other_hierarchies_.end());
  return out;
}

void FakeCgroupFs::AddHierarchy(const std::string& name) {
  other_hierarchies_.push_back(name);
  dirs_[name].insert("/");
}

void FakeCgroupFs::SetBusy(const std::string& controller, const std::string& path, bool busy) {
  if (busy) {
    busy_.insert(controller + ":" + path);
  } else {
    busy_.erase(controller + ":" + path);
  }
}

std::string FakeCgroupFs::Value(const std::string& controller, const std::string& path, const std::string& file) const {
  auto it = files_.find(Key(controller, path, file));
  return it == files_.end() ? "" : it->second;
}

std::set<std::string> FakeCgroupFs::Dirs(const std::string& controller) const {
  auto it = dirs_.find(controller);
  return it == dirs_.end() ? std::set<std::string>{} : it->second;
}

bool FakeCgroupFs::Exists(const std::string& controller, const std::string& path) const {
  auto it = dirs_.find(controller);
  return it != dirs_.end() && it->second.count(path);
}

Status FakeCgroupFs::MakeDir(const std::string& controller, const std::string& path) {
  if (!Exists(controller, Parent(path))) return Status::NotFound("mkdir " + controller + path + ": no parent");
  dirs_[controller].insert(path);
  return Status::Ok();
}

Status FakeCgroupFs::RemoveDir(const std::string& controller, const std::string& path) {
  if (!Exists(controller, path)) return Status::NotFound("rmdir " + controller + path + ": No such file or directory");
  if (busy_.count(controller + ":" + path) || !Children(controller, path).empty()) {
    return Status::Internal("rmdir " + controller + path + ": Device or resource busy");
  }
  dirs_[controller].erase(path);
  std::string prefix = controller + ":" + path + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? files_.erase(it) : std::next(it);
  }
  return Status::Ok();
}

std::vector<std::string> FakeCgroupFs::Children(const std::string& controller, const std::string& path) const {
  std::vector<std::string> out;
  for (const auto& d : Dirs(controller)) {
    if (d != path && Parent(d) == path) out.push_back(d.substr(d.rfind('/') + 1));
  }
  return out;
}

Status FakeCgroupFs::Write(const std::string& controller, const std::string& path, const std::string& file,
                           const std::string& value) {
  if (!Exists(controller, path)) return Status::NotFound("open " + controller + path + "/" + file + ": no cgroup");
  if (auto it = refused_.find(file); it != refused_.end()) {
    return Status::Internal("write " + value + " to " + controller + path + "/" + file + ": " + it->second);
  }
  files_[Key(controller, path, file)] = value;
  return Status::Ok();
}

Status FakeCgroupFs::Read(const std::string& controller, const std::string& path, const std::string& file,
                          std::string* value) const {
  auto it = files_.find(Key(controller, path, file));
  if (it == files_.end()) return Status::NotFound("read " + controller + path + "/" + file + ": cannot open");
  *value = it->second;
  return Status::Ok();
}

}  // namespace crilet::agent
