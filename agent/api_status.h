/// The v1 PodStatus model crilet reports (kubelet's field names), plus the pod record the status server serves.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "manifests/pod.h"

namespace crilet::agent {

struct ContainerStateWaiting {
  std::string reason;   // ContainerCreating, PodInitializing, CrashLoopBackOff, ErrImagePull...
  std::string message;
  bool operator==(const ContainerStateWaiting&) const = default;
};

struct ContainerStateRunning {
  TimePoint started_at;
  bool operator==(const ContainerStateRunning&) const = default;
};

struct ContainerStateTerminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;   // Completed, Error, OOMKilled, StartError, ContainerStatusUnknown
  std::string message;  // the termination message
  TimePoint started_at;
  TimePoint finished_at;
  std::string container_id;  // "containerd://<id>"
  bool operator==(const ContainerStateTerminated&) const = default;
};

// Exactly one member is set, as in the v1 API; none set = an empty state ({} in JSON, used for lastState).
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
  bool empty() const { return !waiting && !running && !terminated; }
  bool operator==(const ContainerState&) const = default;
};

struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState last_state;
  bool ready = false;
  int32_t restart_count = 0;
  std::string image;
  std::string image_id;
  std::string container_id;       // "containerd://<id>", empty before the first instance exists
  std::optional<bool> started;
  bool operator==(const ContainerStatus&) const = default;
};

struct PodCondition {
  std::string type;    // PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // ContainersNotReady, PodCompleted, PodFailed...
  std::string message;
  TimePoint last_transition_time;
  bool operator==(const PodCondition&) const = default;
};

struct PodStatus {
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;  // e.g. DeadlineExceeded
  std::string host_ip;
  std::string pod_ip;
  std::vector<std::string> pod_ips;
  std::optional<TimePoint> start_time;
  std::vector<ContainerStatus> init_container_statuses;
  std::vector<ContainerStatus> container_statuses;
  std::string qos_class;  // Guaranteed, Burstable, BestEffort (kubelet's ComputePodQOS)
  bool operator==(const PodStatus&) const = default;
};

// An event about a pod, kept per pod like kubectl describe shows them; repeats are folded with a count.
struct Event {
  std::string type;     // Normal, Warning
  std::string reason;   // Pulling, Pulled, Created, Started, Killing, BackOff, Unhealthy, Failed...
  std::string message;
  std::string field_path;  // "spec.containers{web}" or "" for the pod
  TimePoint first_timestamp;
  TimePoint last_timestamp;
  int32_t count = 1;
};

// One pod as the status server, the CLI and tests see it: the manifest and its latest status.
struct PodRecord {
  manifests::Pod pod;
  PodStatus status;
  std::vector<Event> events;
  // Set once the pod's removal began (its manifest is gone): metadata.deletionTimestamp (when the grace
  // period ends) and deletionGracePeriodSeconds, which make kubectl show it Terminating.
  std::optional<TimePoint> deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
};

}  // namespace crilet::agent
