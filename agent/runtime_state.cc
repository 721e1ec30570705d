// Reading a pod's state from CRI: ListPodSandbox/PodSandboxStatus and ListContainers/ContainerStatus.
#include "agent/runtime_state.h"

#include <algorithm>
#include <cstdlib>

#include "agent/labels.h"

namespace crilet::agent {
namespace {

std::string Annotation(const cri::Labels& a, const char* key) {
  auto it = a.find(key);
  return it == a.end() ? "" : it->second;
}

}  // namespace

ObservedContainer ToObserved(const cri::ContainerStatus& s, const std::string& sandbox_id) {
  ObservedContainer o;
  o.id = s.id;
  o.sandbox_id = sandbox_id;
  o.name = s.name;
  auto label = s.labels.find(kContainerNameLabel);
  if (label != s.labels.end()) o.name = label->second;
  o.state = s.state;
  o.created_at = s.created_at;
  o.started_at = s.started_at;
  o.finished_at = s.finished_at;
  o.exit_code = s.exit_code;
  o.reason = s.reason;
  o.message = s.message;
  o.image = s.image;
  o.image_ref = s.image_ref;
  o.hash = ParseHash(Annotation(s.annotations, kContainerHashAnnotation));
  o.restart_count = std::atoi(Annotation(s.annotations, kRestartCountAnnotation).c_str());
  o.log_path = s.log_path;
  o.termination_message_path = Annotation(s.annotations, kTerminationMessagePathAnnotation);
  o.termination_message_policy = Annotation(s.annotations, kTerminationMessagePolicyAnnotation);
  for (const auto& m : s.mounts) {
    if (!o.termination_message_path.empty() && m.container_path == o.termination_message_path) {
      o.termination_message_host_path = m.host_path;
    }
  }
  return o;
}

Status RuntimeStateReader::GetPod(const std::string& uid, ObservedPod* out) {
  out->uid = uid;
  out->sandboxes.clear();
  out->containers.clear();

  std::vector<cri::Sandbox> sandboxes;
  cri::SandboxFilter sf;
  sf.label_selector[kPodUidLabel] = uid;
  if (Status s = runtime_->ListPodSandbox(sf, &sandboxes); !s.ok()) return s;
  std::set<std::string> foreign;  // sandboxes of another crilet instance
  for (const auto& sb : sandboxes) {
    if (!root_dir_.empty() && SandboxOwnership(sb.labels, root_dir_) == Ownership::kOtherInstance) foreign.insert(sb.id);
  }
  std::erase_if(sandboxes, [&](const cri::Sandbox& sb) { return foreign.count(sb.id) > 0; });
  std::sort(sandboxes.begin(), sandboxes.end(), [](const cri::Sandbox& a, const cri::Sandbox& b) {
    return a.created_at > b.created_at;
  });
  for (size_t i = 0; i < sandboxes.size(); ++i) {
    const auto& sb = sandboxes[i];
    ObservedSandbox o;
    o.id = sb.id;
    o.attempt = sb.metadata.attempt;
    o.state = sb.state;
    o.created_at = sb.created_at;
    // Only the newest sandbox's network matters to the planner; skip the status call for older ones.
    if (i == 0) {
      cri::SandboxStatus st;
      Status s = runtime_->PodSandboxStatus(sb.id, &st);
      if (s.ok()) {
        o.ip = st.ip;
        o.host_network = st.namespaces.network == cri::NamespaceMode::kNode;
        o.state = st.state;
      } else if (!s.IsNotFound()) {
        return s;
      }
    }
    out->sandboxes.push_back(o);
  }

  std::vector<cri::Container> containers;
  cri::ContainerFilter cf;
  cf.label_selector[kPodUidLabel] = uid;
  if (Status s = runtime_->ListContainers(cf, &containers); !s.ok()) return s;
  std::erase_if(containers, [&](const cri::Container& c) { return foreign.count(c.sandbox_id) > 0; });
  std::sort(containers.begin(), containers.end(), [](const cri::Container& a, const cri::Container& b) {
    return a.created_at > b.created_at;
  });
  {
    // Forget cached exits of this pod that the runtime no longer has.
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = exited_.begin(); it != exited_.end();) {
      bool listed = std::any_of(containers.begin(), containers.end(), [&](const cri::Container& c) { return c.id == it->first; });
      it = (it->second.pod_uid == uid && !listed) ? exited_.erase(it) : std::next(it);
    }
  }
  for (const auto& c : containers) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = exited_.find(c.id);
      if (it != exited_.end()) {
        out->containers.push_back(it->second.container);
        continue;
      }
    }
    cri::ContainerStatus st;
    Status s = runtime_->ContainerStatus(c.id, false, &st);
    if (s.IsNotFound()) continue;  // removed between the list and the status call
    if (!s.ok()) return s;
    ObservedContainer o = ToObserved(st, c.sandbox_id);
    if (o.state == cri::ContainerState::kExited) {
      std::lock_guard<std::mutex> lock(mu_);
      exited_[o.id] = CachedExit{uid, o};
    }
    out->containers.push_back(std::move(o));
  }
  return Status::Ok();
}

}  // namespace crilet::agent
