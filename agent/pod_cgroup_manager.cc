// PodCgroupManager: the cgroup writes kubelet's cgroupManager makes for QoS tiers and pods (cgroup v1).
#include "agent/pod_cgroup_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "agent/qos_policy.h"

namespace crilet::agent {

PodCgroupManager::PodCgroupManager(PodCgroupConfig config, CgroupFs* fs)
    : config_(std::move(config)), fs_(fs), qos_(QosCgroups(config_.cgroup_root)) {}

void PodCgroupManager::WarnOnce(const std::string& key, const std::string& message) {
  if (!warned_.insert(key).second) return;
  spdlog::warn("{} (warned once; pods run without this setting)", message);
}

bool PodCgroupManager::MakeCgroup(const CgroupName& name, std::string* error) {
  std::string path = ToCgroupfs(name);
  bool ok = true;
  for (const auto& c : controllers_) {
    if (fs_->Exists(c, path)) continue;
    if (Status s = fs_->MakeDir(c, path); !s.ok()) {
      std::string msg = "cannot create cgroup " + path + " in the " + c + " hierarchy: " + s.message();
      if (error) {
        *error = msg;
        return false;
      }
      WarnOnce("mkdir:" + c, msg);
      ok = false;
      continue;
    }
    if (c == "cpuset") {
      // A new cpuset cgroup starts with no CPUs and no memory nodes, and takes no tasks until it has both: it gets
      // its parent's, as libcontainer's cpuset Apply does.
      CgroupName parent(name.begin(), name.end() - 1);
      for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
        std::string value;
        if (fs_->Read(c, ToCgroupfs(parent), f, &value).ok() && !value.empty()) {
          if (Status s = fs_->Write(c, path, f, value); !s.ok()) WarnOnce(f, "cannot set " + std::string(f) + ": " + s.message());
        }
      }
    }
  }
  return ok;
}

Status PodCgroupManager::Apply(const CgroupName& name, const CgroupResources& r, bool strict) {
  std::string path = ToCgroupfs(name);
  auto has = [&](const char* c) { return std::find(controllers_.begin(), controllers_.end(), c) != controllers_.end(); };
  Status first = Status::Ok();
  auto write = [&](const char* controller, const char* file, const std::string& value) {
    if (!has(controller) || (strict && !first.ok())) return;
    if (Status s = fs_->Write(controller, path, file, value); !s.ok()) {
      if (strict) {
        first = s;
      } else {
        WarnOnce(file, "cannot set " + std::string(file) + " of cgroup " + path + ": " + s.message());
      }
    }
  };
  if (r.cpu_shares) write("cpu", "cpu.shares", std::to_string(*r.cpu_shares));
  // The period first: the kernel checks the quota against it.
  if (r.cpu_period) write("cpu", "cpu.cfs_period_us", std::to_string(*r.cpu_period));
  if (r.cpu_quota) write("cpu", "cpu.cfs_quota_us", std::to_string(*r.cpu_quota > 0 ? *r.cpu_quota : -1));
  if (r.memory_limit_bytes) write("memory", "memory.limit_in_bytes", std::to_string(*r.memory_limit_bytes));
  if (r.pids_limit && *r.pids_limit != 0) {
    write("pids", "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
  }
  return first;
}

bool PodCgroupManager::Start(std::string* why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_.driver == CgroupDriver::kSystemd) {
    // The runtime (containerd with SystemdCgroup) asks systemd for the slices named by the cgroup parent; crilet
    // has no systemd client to create them with kubelet's settings first.
    spdlog::info("cgroupDriver systemd: pod sandboxes go under {} slices made by the runtime; crilet writes no "
                 "pod-level cgroup settings",
                 ToSystemd(qos_.guaranteed));
    return true;
  }
  if (!fs_ || fs_->Unified()) {
    *why = "cgroup v2 (unified hierarchy): crilet creates pod cgroups on cgroup v1 only";
    return false;
  }
  controllers_ = fs_->Controllers();
  hierarchies_ = fs_->Hierarchies();
  if (controllers_.empty()) {
    *why = "no cgroup v1 controller (cpu, cpuacct, cpuset, memory, pids) is mounted";
    return false;
  }
  // The root must exist (kubelet: "root container ... doesn't exist"); the tiers are created below it.
  for (const auto& c : controllers_) {
    if (!fs_->Exists(c, ToCgroupfs(CgroupName(qos_.guaranteed.begin(), qos_.guaranteed.end() - 1)))) {
      *why = "cgroup root " + config_.cgroup_root + " does not exist in the " + c + " hierarchy";
      return false;
    }
  }
  if (!MakeCgroup(qos_.guaranteed, why)) return false;
  Apply(qos_.guaranteed, config_.node_allocatable);
  MakeCgroup(qos_.burstable);
  MakeCgroup(qos_.besteffort);
  CgroupResources besteffort;
  besteffort.cpu_shares = kBestEffortCpuShares;
  Apply(qos_.besteffort, besteffort);
  write_files_ = true;
  UpdateBurstableLocked();
  return true;
}

namespace {

// Go's %q of a CgroupName ([]string), as kubelet's messages print it: ["kube.slice"], ["a" "b"].
std::string QuotedComponents(const CgroupName& name) {
  std::string out = "[";
  for (const auto& part : name) out += (out.size() > 1 ? " \"" : "\"") + part + "\"";
  return out + "]";
}

}  // namespace

Status PodCgroupManager::EnforceReservedCgroups() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& rc : config_.reserved_cgroups) {
    CgroupName name = ParseCgroupfsName(rc.name);
    std::string failed = "Failed to enforce " + rc.what + " Cgroup Limits on \"" + rc.name + "\": ";
    if (rc.reservation.empty()) return Status::InvalidArgument(failed + QuotedComponents(name) + " cgroup is not config properly");
    if (!write_files_) {
      WarnOnce("reserved:" + rc.name, rc.what + " cgroup " + rc.name + " is not enforced: crilet writes cgroup "
                                          "settings on cgroup v1 with the cgroupfs driver only");
      continue;
    }
    // kubelet's cgroupManager.Exists: every managed controller's directory, and the systemd named hierarchy's.
    std::vector<std::string> check = controllers_;
    if (std::find(hierarchies_.begin(), hierarchies_.end(), "systemd") != hierarchies_.end()) check.push_back("systemd");
    std::string missing;
    for (const auto& c : check) {
      if (!fs_->Exists(c, ToCgroupfs(name))) missing += (missing.empty() ? "" : ", ") + c;
    }
    if (!missing.empty()) {
      spdlog::info("cgroup {} is missing in the {} hierarchies", ToCgroupfs(name), missing);
      return Status::NotFound(failed + QuotedComponents(name) + " cgroup does not exist");
    }
    if (Status s = Apply(name, ReservedCgroupResources(rc.reservation), true); !s.ok()) {
      return Status(s.code(), failed + s.message());
    }
    std::string lower = rc.what;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    spdlog::info("Updated limits on {} cgroup {}", lower, rc.name);
  }
  return Status::Ok();
}

std::string PodCgroupManager::CgroupParent(const manifests::Pod& pod) const {
  return CgroupLiteralName(PodCgroupName(qos_, PodQosClass(pod), pod.metadata.uid), config_.driver);
}

void PodCgroupManager::UpdateBurstableLocked() {
  std::vector<const manifests::Pod*> active;
  for (const auto& [uid, pod] : pods_) active.push_back(&pod);
  int64_t shares = BurstableCpuShares(active);
  if (shares == burstable_shares_) return;
  burstable_shares_ = shares;
  if (!write_files_) return;
  CgroupResources r;
  r.cpu_shares = shares;
  Apply(qos_.burstable, r);
}

void PodCgroupManager::EnsurePod(const manifests::Pod& pod) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& uid = pod.metadata.uid;
  if (pods_.count(uid)) return;
  pods_[uid] = pod;
  pending_removals_.erase(uid);
  // kubelet updates the QoS tiers before it creates a new pod's cgroup.
  UpdateBurstableLocked();
  if (!write_files_) return;
  CgroupName name = PodCgroupName(qos_, PodQosClass(pod), uid);
  MakeCgroup(name);
  Apply(name, PodCgroupResources(pod, config_.pod_pids_limit));
}

Status PodCgroupManager::RemoveTree(const std::string& controller, const std::string& path) {
  if (!fs_->Exists(controller, path)) return Status::Ok();
  // Containers' cgroups are removed by the runtime with them; one left behind (empty) would keep the pod's busy.
  for (const auto& child : fs_->Children(controller, path)) {
    if (Status s = RemoveTree(controller, path + "/" + child); !s.ok()) return s;
  }
  Status s = fs_->RemoveDir(controller, path);
  return s.IsNotFound() ? Status::Ok() : s;
}

Status PodCgroupManager::RemovePodLocked(const std::string& uid) {
  Status first = Status::Ok();
  for (const auto& tier : {qos_.guaranteed, qos_.burstable, qos_.besteffort}) {
    CgroupName name = tier;
    name.push_back("pod" + uid);
    for (const auto& c : hierarchies_) {
      Status s = RemoveTree(c, ToCgroupfs(name));
      if (!s.ok() && first.ok()) first = s;
    }
  }
  return first;
}

Status PodCgroupManager::RemovePod(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  pods_.erase(uid);
  UpdateBurstableLocked();
  if (!write_files_) return Status::Ok();
  Status s = RemovePodLocked(uid);
  if (!s.ok()) {
    pending_removals_.insert(uid);
    return Status(s.code(), "removing the cgroup of pod " + uid + ": " + s.message());
  }
  pending_removals_.erase(uid);
  return Status::Ok();
}

void PodCgroupManager::RetryRemovals() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pending_removals_.begin(); it != pending_removals_.end();) {
    it = RemovePodLocked(*it).ok() ? pending_removals_.erase(it) : std::next(it);
  }
}

int64_t PodCgroupManager::burstable_shares() const {
  std::lock_guard<std::mutex> lock(mu_);
  return burstable_shares_;
}

}  // namespace crilet::agent
