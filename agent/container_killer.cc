// Container and pod termination: grace periods, preStop hooks, sidecar ordering, parallel stops.
#include "agent/container_killer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace crilet::agent {
namespace {

const manifests::Container* FindSpec(const manifests::Pod& pod, const std::string& name) {
  for (const auto& c : pod.spec.containers) {
    if (c.name == name) return &c;
  }
  for (const auto& c : pod.spec.init_containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

std::string FieldPath(const manifests::Pod& pod, const std::string& container_name) {
  for (const auto& c : pod.spec.init_containers) {
    if (c.name == container_name) return "spec.initContainers{" + container_name + "}";
  }
  return "spec.containers{" + container_name + "}";
}

TerminationOrdering::TerminationOrdering(const manifests::Pod& pod, const std::vector<std::string>& running_names) {
  std::set<std::string> running(running_names.begin(), running_names.end());
  remaining_ = running;
  std::set<std::string> regular;
  for (const auto& c : pod.spec.containers) {
    if (running.count(c.name)) regular.insert(c.name);
  }
  std::set<std::string> later_sidecars;
  for (auto it = pod.spec.init_containers.rbegin(); it != pod.spec.init_containers.rend(); ++it) {
    if (!manifests::IsSidecar(*it) || !running.count(it->name)) continue;
    std::set<std::string> deps = regular;
    deps.insert(later_sidecars.begin(), later_sidecars.end());
    waits_for_[it->name] = deps;
    later_sidecars.insert(it->name);
  }
}

int64_t TerminationOrdering::WaitForTurn(const std::string& name, int64_t grace_seconds) {
  auto start = std::chrono::steady_clock::now();
  auto it = waits_for_.find(name);
  if (it == waits_for_.end()) return 0;
  const std::set<std::string>& deps = it->second;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(grace_seconds), [&] {
    for (const auto& d : deps) {
      if (remaining_.count(d)) return false;
    }
    return true;
  });
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
}

void TerminationOrdering::Terminated(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    remaining_.erase(name);
  }
  cv_.notify_all();
}

int64_t TerminationGracePeriod(const manifests::Pod& pod, const manifests::Container* spec, KillReason reason) {
  if (spec && reason == KillReason::kStartupProbe && spec->startup_probe &&
      spec->startup_probe->termination_grace_period_seconds) {
    return *spec->startup_probe->termination_grace_period_seconds;
  }
  if (spec && reason == KillReason::kLivenessProbe && spec->liveness_probe &&
      spec->liveness_probe->termination_grace_period_seconds) {
    return *spec->liveness_probe->termination_grace_period_seconds;
  }
  return pod.spec.termination_grace_period_seconds.value_or(30);
}

Status KillContainer(const Services& env, const KillRequest& req, TerminationOrdering* ordering,
                     const std::atomic<bool>* cancel) {
  const manifests::Pod& pod = *req.pod;
  int64_t grace = req.grace_override ? *req.grace_override : TerminationGracePeriod(pod, req.spec, req.reason);
  std::string message = req.message.empty() ? "Stopping container " + req.name : req.message;
  env.events->Record(pod.metadata.uid, "Normal", "Killing", message, req.field_path);

  if (req.spec && req.spec->lifecycle && req.spec->lifecycle->pre_stop && grace > 0) {
    auto start = std::chrono::steady_clock::now();
    HookTarget target{&pod, req.spec, req.container_id, req.pod_ip};
    Status s = env.hooks->Run(*req.spec->lifecycle->pre_stop, target, std::chrono::seconds(grace), cancel);
    if (!s.ok()) {
      env.events->Record(pod.metadata.uid, "Warning", "FailedPreStopHook",
                         "PreStopHook failed: " + s.message(), req.field_path);
    }
    grace -= std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  }
  if (ordering && grace > 0) grace -= ordering->WaitForTurn(req.name, grace);
  if (grace < 2) grace = 2;  // always give a container a short window to exit cleanly

  Status s = env.runtime->StopContainer(req.container_id, grace);
  if (ordering) ordering->Terminated(req.name);
  if (!s.ok() && !s.IsNotFound()) return s;
  return Status::Ok();
}

Status KillPod(const Services& env, const manifests::Pod& pod, const ObservedPod& observed,
               std::optional<int64_t> grace_override, const std::string& pod_ip, const std::atomic<bool>* cancel) {
  std::vector<const ObservedContainer*> running;
  std::vector<std::string> names;
  for (const auto& c : observed.containers) {
    if (c.state == cri::ContainerState::kRunning) {
      running.push_back(&c);
      names.push_back(c.name);
    }
  }
  TerminationOrdering ordering(pod, names);
  std::vector<Status> results(running.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < running.size(); ++i) {
    threads.emplace_back([&, i] {
      const ObservedContainer* c = running[i];
      KillRequest req;
      req.pod = &pod;
      req.spec = FindSpec(pod, c->name);
      req.container_id = c->id;
      req.name = c->name;
      req.field_path = FieldPath(pod, c->name);
      req.grace_override = grace_override;
      req.pod_ip = pod_ip;
      results[i] = KillContainer(env, req, &ordering, cancel);
    });
  }
  for (auto& t : threads) t.join();
  Status first;
  for (const auto& s : results) {
    if (!s.ok() && first.ok()) first = s;
  }
  for (const auto& sb : observed.sandboxes) {
    if (sb.state != cri::SandboxState::kReady) continue;
    Status s = env.runtime->StopPodSandbox(sb.id);
    if (!s.ok() && !s.IsNotFound() && first.ok()) first = s;
  }
  return first;
}

}  // namespace crilet::agent
