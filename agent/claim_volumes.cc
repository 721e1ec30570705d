// ClaimVolumes: BindClaims on the current objects, plus the directories, the bindings file and the pods' use.
#include "agent/claim_volumes.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace crilet::agent {
namespace fs = std::filesystem;

namespace {

// {"claims": {"ns/name": "pv"}, "users": {"ns/name": ["uid", ...]}}
void LoadState(const std::string& path, std::map<std::string, std::string>* bindings,
               std::map<std::string, std::set<std::string>>* users) {
  std::ifstream in(path);
  if (!in) return;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("claims") || !j["claims"].is_object()) {
    spdlog::warn("{}: not a claim bindings file, ignored (claims bind afresh)", path);
    return;
  }
  for (const auto& [key, pv] : j["claims"].items()) {
    if (pv.is_string()) (*bindings)[key] = pv.get<std::string>();
  }
  if (!j.contains("users") || !j["users"].is_object()) return;
  for (const auto& [key, uids] : j["users"].items()) {
    if (!uids.is_array()) continue;
    for (const auto& uid : uids) {
      if (uid.is_string()) (*users)[key].insert(uid.get<std::string>());
    }
  }
}

}  // namespace

ClaimVolumes::ClaimVolumes(std::function<manifests::LocalObjects()> objects, std::string base, std::string state_file)
    : objects_(std::move(objects)), base_(std::move(base)), state_file_(std::move(state_file)) {
  LoadState(state_file_, &previous_, &holders_);
  for (const auto& [key, uids] : holders_) restored_.insert(uids.begin(), uids.end());
}

std::vector<ClaimBinding> ClaimVolumes::Refresh() {
  manifests::LocalObjects objects = objects_ ? objects_() : manifests::LocalObjects{};
  std::lock_guard<std::mutex> lock(mu_);
  return RefreshLocked(objects);
}

std::vector<ClaimBinding> ClaimVolumes::RefreshLocked(const manifests::LocalObjects& objects) {
  std::vector<ClaimBinding> bindings = BindClaims(objects.claims, objects.persistent_volumes, previous_, base_);
  std::map<std::string, std::string> pv_bindings = previous_;
  declared_.clear();
  for (auto& b : bindings) {
    std::string key = ClaimKey(b.namespace_, b.name);
    declared_.insert(key);
    seen_.insert(key);
    if (b.phase != "Bound") continue;
    if (!b.provisioned) {
      pv_bindings[key] = b.volume_name;
      continue;
    }
    pv_bindings.erase(key);
    std::error_code ec;
    if (!fs::is_directory(b.path, ec)) {
      fs::create_directories(b.path, ec);
      if (ec) {
        b.phase = "Pending";
        b.message = "failed to provision volume: cannot create " + b.path + ": " + ec.message();
        continue;
      }
      ::chmod(b.path.c_str(), 0777);
      spdlog::info("provisioned {} for PersistentVolumeClaim {}", b.path, key);
    }
  }
  // A binding of a claim that is no longer declared is forgotten; the PV is free again.
  for (auto it = pv_bindings.begin(); it != pv_bindings.end();) it = declared_.count(it->first) ? std::next(it) : pv_bindings.erase(it);
  if (pv_bindings != previous_) {
    previous_ = std::move(pv_bindings);
    SaveLocked();
  }
  return bindings;
}

void ClaimVolumes::SaveLocked() {
  nlohmann::json j = {{"claims", previous_}, {"users", holders_}};
  std::error_code ec;
  fs::create_directories(fs::path(state_file_).parent_path(), ec);
  std::string tmp = state_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out) {
      spdlog::error("cannot write {}: claim bindings are not saved", tmp);
      return;
    }
  }
  if (std::rename(tmp.c_str(), state_file_.c_str()) != 0) spdlog::error("cannot rename {} to {}", tmp, state_file_);
}

Status ClaimVolumes::Mount(const manifests::Pod& pod, const std::string& uid, std::map<std::string, std::string>* paths) {
  bool any = false;
  for (const auto& v : pod.spec.volumes) any = any || v.persistent_volume_claim.has_value();
  if (!any) return Status::Ok();
  manifests::LocalObjects objects = objects_ ? objects_() : manifests::LocalObjects{};
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ClaimBinding> bindings = RefreshLocked(objects);
  const std::string& ns = pod.metadata.namespace_;
  std::vector<std::string> keys;
  for (const auto& v : pod.spec.volumes) {
    if (!v.persistent_volume_claim) continue;
    const std::string& claim = v.persistent_volume_claim->claim_name;
    const ClaimBinding* b = nullptr;
    for (const auto& x : bindings) {
      if (x.namespace_ == ns && x.name == claim) b = &x;
    }
    const manifests::PersistentVolumeClaim* spec = nullptr;
    for (const auto& c : objects.claims) {
      if (c.namespace_ == ns && c.name == claim) spec = &c;
    }
    if (!b || !spec) return Status::NotFound("volume " + v.name + ": persistentvolumeclaim \"" + claim + "\" not found");
    if (b->phase != "Bound") {
      return Status::FailedPrecondition("volume " + v.name + ": persistentvolumeclaim \"" + claim +
                                        "\" is not bound: " + b->message);
    }
    std::string key = ClaimKey(ns, claim);
    if (std::string why = CheckReadWriteOncePod(spec->access_modes, holders_[key], uid); !why.empty()) {
      return Status::FailedPrecondition("volume " + v.name + ": persistentvolumeclaim \"" + claim + "\": " + why);
    }
    std::error_code ec;
    if (!fs::is_directory(b->path, ec)) {
      return Status::FailedPrecondition("volume " + v.name + ": persistentvolumeclaim \"" + claim + "\" is bound to " +
                                        b->volume_name + ", whose directory " + b->path + " does not exist");
    }
    (*paths)[v.name] = b->path;
    keys.push_back(key);
  }
  bool added = false;
  for (const auto& k : keys) added = holders_[k].insert(uid).second || added;
  if (added) SaveLocked();
  return Status::Ok();
}

void ClaimVolumes::Adopt(const manifests::Pod& pod, const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  bool added = false;
  for (const auto& v : pod.spec.volumes) {
    if (!v.persistent_volume_claim) continue;
    added = holders_[ClaimKey(pod.metadata.namespace_, v.persistent_volume_claim->claim_name)].insert(uid).second || added;
  }
  if (added) SaveLocked();
}

void ClaimVolumes::Release(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  bool freed = false;
  for (auto it = holders_.begin(); it != holders_.end();) {
    freed = it->second.erase(uid) > 0 || freed;
    it = it->second.empty() ? holders_.erase(it) : std::next(it);
  }
  restored_.erase(uid);
  if (!freed) return;
  SaveLocked();
  ReapLocked();
}

void ClaimVolumes::Reap(const std::vector<manifests::Pod>& desired, bool sources_ready) {
  manifests::LocalObjects objects = objects_ ? objects_() : manifests::LocalObjects{};
  std::lock_guard<std::mutex> lock(mu_);
  RefreshLocked(objects);
  desired_use_.clear();
  for (const auto& pod : desired) {
    for (const auto& v : pod.spec.volumes) {
      if (v.persistent_volume_claim) desired_use_.insert(ClaimKey(pod.metadata.namespace_, v.persistent_volume_claim->claim_name));
    }
  }
  reap_ready_ = reap_ready_ || sources_ready;
  if (sources_ready && !restored_.empty()) {
    // Users restored from the file that are not desired pods: orphans, which the agent removes without a
    // syncer (so no Release); they must not hold a claim for ever.
    std::set<std::string> desired_uids;
    for (const auto& pod : desired) desired_uids.insert(pod.metadata.uid);
    bool dropped = false;
    for (auto& [key, uids] : holders_) {
      for (auto it = uids.begin(); it != uids.end();) {
        bool drop = restored_.count(*it) && !desired_uids.count(*it);
        dropped = dropped || drop;
        it = drop ? uids.erase(it) : std::next(it);
      }
    }
    for (auto it = holders_.begin(); it != holders_.end();) it = it->second.empty() ? holders_.erase(it) : std::next(it);
    restored_.clear();
    if (dropped) SaveLocked();
  }
  ReapLocked();
}

void ClaimVolumes::ReapLocked() {
  if (!reap_ready_) return;
  std::vector<ProvisionedDirectory> on_disk;
  std::error_code ec;
  for (const auto& ns : fs::directory_iterator(base_, ec)) {
    if (!ns.is_directory(ec)) continue;
    for (const auto& claim : fs::directory_iterator(ns.path(), ec)) {
      if (claim.is_directory(ec)) on_disk.push_back({ns.path().filename().string(), claim.path().filename().string()});
    }
  }
  std::set<std::string> in_use = desired_use_;
  for (const auto& [key, uids] : holders_) in_use.insert(key);
  for (const auto& d : DirectoriesToDelete(on_disk, declared_, seen_, in_use)) {
    std::string path = ProvisionedPath(base_, d.namespace_, d.name);
    fs::remove_all(path, ec);
    if (ec) {
      spdlog::error("deleting provisioned volume {} of removed PersistentVolumeClaim {}/{}: {}", path, d.namespace_,
                    d.name, ec.message());
    } else {
      spdlog::info("deleted provisioned volume {}: PersistentVolumeClaim {}/{} was removed and no pod uses it", path,
                   d.namespace_, d.name);
      seen_.erase(ClaimKey(d.namespace_, d.name));
    }
  }
}

std::map<std::string, std::set<std::string>> ClaimVolumes::Users() const {
  std::lock_guard<std::mutex> lock(mu_);
  return holders_;
}

}  // namespace crilet::agent
