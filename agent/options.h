/// AgentOptions: the node-level settings the agent works with (from flags and the KubeletConfiguration file).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/node_allocatable.h"

namespace crilet::agent {

struct AgentOptions {
  std::string node_name;                      // lowercase; static pods are named <name>-<node_name>
  std::string node_ip;                        // hostIP, and podIP of hostNetwork pods
  std::string root_dir = "/var/lib/crilet";   // pods/<uid>/volumes, etc-hosts, checkpoints
  std::string pod_logs_dir = "/var/log/pods";
  std::string resolv_conf = "/etc/resolv.conf";  // the host's, for dnsPolicy Default and hostNetwork pods
  std::vector<std::string> cluster_dns;       // KubeletConfiguration clusterDNS
  std::string cluster_domain;                 // KubeletConfiguration clusterDomain
  // --cgroup-root: the CRI cgroup_parent of sandboxes without per-QoS cgroups ("" lets the runtime choose); with
  // them, the root above kubepods ("" = "/").
  std::string cgroup_parent;
  // --cgroups-per-qos: kubelet's kubepods/<qos>/pod<uid> cgroups. Off unless set, so that tests built on
  // AgentOptions never touch the machine's cgroups; crilet run sets it as kubelet's default (true).
  bool cgroups_per_qos = false;
  std::string cgroup_driver = "cgroupfs";     // --cgroup-driver: cgroupfs or systemd
  // kubeReserved, systemReserved, their cgroups and enforceNodeAllocatable: node allocatable, kubepods' limits.
  NodeAllocatableConfig node_allocatable;
  int64_t pod_pids_limit = -1;                // podPidsLimit (--pod-max-pids): each pod cgroup's pids.max if > 0
  // Image garbage collection (kubelet's image manager); off unless set, as cgroups_per_qos.
  bool image_gc = false;
  int image_gc_high_threshold_percent = 85;   // imageGCHighThresholdPercent
  int image_gc_low_threshold_percent = 80;    // imageGCLowThresholdPercent
  std::chrono::nanoseconds image_minimum_gc_age = std::chrono::minutes(2);  // imageMinimumGCAge
  std::chrono::nanoseconds image_maximum_gc_age{0};  // imageMaximumGCAge: unused longer than this goes; 0 = off
  std::chrono::nanoseconds image_gc_period = std::chrono::minutes(5);       // kubelet's ImageGCPeriod
  std::string pod_infra_container_image;      // never garbage collected (--pod-infra-container-image)
  std::chrono::nanoseconds relist_period = std::chrono::seconds(1);
  // A relist call waiting this long marks the runtime unhealthy (/healthz) before its deadline expires.
  std::chrono::nanoseconds runtime_stall = std::chrono::seconds(10);
  std::chrono::nanoseconds crash_backoff_initial = std::chrono::seconds(10);
  std::chrono::nanoseconds crash_backoff_max = std::chrono::seconds(300);
  std::chrono::nanoseconds image_backoff_initial = std::chrono::seconds(10);
  std::chrono::nanoseconds image_backoff_max = std::chrono::seconds(300);
  std::chrono::nanoseconds housekeeping_period = std::chrono::seconds(2);
  std::chrono::nanoseconds gc_period = std::chrono::minutes(1);
  int64_t node_memory_bytes = 0;              // the node's memory capacity; 0 = read /proc/meminfo
  int64_t node_pids = 0;                      // the node's task limit; 0 = min(kernel.pid_max, kernel.threads-max)
  int64_t node_cpu_milli = 0;                 // the node's CPU capacity; 0 = the CPU count
  std::map<std::string, std::string> node_labels;  // --node-labels, on top of kubelet's default node labels
  bool watch_exits = true;                    // learn of container exits through pidfds, not only the relist
  std::string runtime_endpoint;               // for messages ("cannot reach container runtime at ...")
};

}  // namespace crilet::agent
