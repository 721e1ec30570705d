/// Killing containers and pods as kubelet does: preStop within the grace period, sidecar ordering, StopContainer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/observed.h"
#include "agent/plan.h"
#include "agent/services.h"
#include "manifests/pod.h"

namespace crilet::agent {

// Sidecars stop after the regular containers and after the sidecars that follow them in the spec
// (kuberuntime_termination_order.go). Thread-safe; one per KillPod.
class TerminationOrdering {
 public:
  TerminationOrdering(const manifests::Pod& pod, const std::vector<std::string>& running_names);
  // Blocks until the containers `name` must outlive have stopped, or `grace_seconds` passed; returns the
  // whole seconds waited.
  int64_t WaitForTurn(const std::string& name, int64_t grace_seconds);
  void Terminated(const std::string& name);

 private:
  std::mutex mu_;  // guards remaining_
  std::condition_variable cv_;
  std::map<std::string, std::set<std::string>> waits_for_;  // name -> names that must stop first
  std::set<std::string> remaining_;
};

struct KillRequest {
  const manifests::Pod* pod = nullptr;
  const manifests::Container* spec = nullptr;  // null for a container no longer in the spec
  std::string container_id;
  std::string name;
  std::string field_path;
  std::string message;  // event text; "" = "Stopping container <name>"
  KillReason reason = KillReason::kNone;
  std::optional<int64_t> grace_override;
  std::string pod_ip;
};

// Kubelet's grace rules: probe-level terminationGracePeriodSeconds for probe kills, else the pod's (default 30).
int64_t TerminationGracePeriod(const manifests::Pod& pod, const manifests::Container* spec, KillReason reason);

// Records Killing, runs preStop (FailedPreStopHook on error) within the grace period, waits its turn if
// ordered, then StopContainer with max(remaining, 2) seconds. NotFound counts as stopped.
Status KillContainer(const Services& env, const KillRequest& req, TerminationOrdering* ordering,
                     const std::atomic<bool>* cancel);

// Stops every running container of the pod in parallel (ordered for sidecars), then every ready sandbox.
Status KillPod(const Services& env, const manifests::Pod& pod, const ObservedPod& observed,
               std::optional<int64_t> grace_override, const std::string& pod_ip, const std::atomic<bool>* cancel);

// "spec.containers{web}" / "spec.initContainers{init}", the event field path of a container.
std::string FieldPath(const manifests::Pod& pod, const std::string& container_name);

}  // namespace crilet::agent
