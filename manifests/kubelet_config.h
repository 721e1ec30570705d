/// KubeletConfigFile: the kubelet.config.k8s.io/v1beta1 KubeletConfiguration fields crilet honours.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace crilet::manifests {

// Every field is optional: only what the file sets overrides crilet's defaults (and flags override the file).
struct KubeletConfigFile {
  std::optional<std::string> static_pod_path;
  std::optional<std::string> static_pod_url;
  std::vector<std::pair<std::string, std::string>> static_pod_url_header;
  std::optional<std::chrono::nanoseconds> file_check_frequency;
  std::optional<std::chrono::nanoseconds> http_check_frequency;
  std::optional<std::chrono::nanoseconds> sync_frequency;
  std::optional<std::chrono::nanoseconds> runtime_request_timeout;
  std::optional<std::string> container_runtime_endpoint;
  std::optional<std::string> address;
  std::optional<int64_t> read_only_port;
  std::optional<std::string> healthz_bind_address;
  std::optional<int64_t> healthz_port;  // 0 disables
  std::optional<std::string> pod_logs_dir;
  std::optional<std::string> resolv_conf;
  std::vector<std::string> cluster_dns;
  std::optional<std::string> cluster_domain;
  std::optional<std::string> cgroup_root;
  std::optional<std::string> cgroup_driver;
  std::optional<bool> cgroups_per_qos;
  std::optional<std::map<std::string, std::string>> kube_reserved, system_reserved;  // resource -> quantity
  std::optional<std::string> kube_reserved_cgroup, system_reserved_cgroup;
  std::optional<std::vector<std::string>> enforce_node_allocatable;  // an empty list enforces nothing
  std::optional<int64_t> pod_pids_limit;
  std::optional<int64_t> image_gc_high_threshold_percent;
  std::optional<int64_t> image_gc_low_threshold_percent;
  std::optional<std::chrono::nanoseconds> image_minimum_gc_age;
  std::optional<std::chrono::nanoseconds> image_maximum_gc_age;
  std::optional<std::chrono::nanoseconds> crash_loop_max_restart_period;  // crashLoopBackOff.maxContainerRestartPeriod
  std::optional<std::string> container_log_max_size;  // "10Mi"
  std::optional<int64_t> container_log_max_files;
  // Fields kubelet has that the file set and crilet does not act on (syncFrequency, cgroupDriver, authentication...),
  // in file order; crilet run names them in a warning at start.
  std::vector<std::string> ignored_fields;
};

// Reads and checks the file. Errors (not a KubeletConfiguration, wrong types) fail with the field path;
// fields kubelet has but crilet ignores are accepted and listed in out->ignored_fields; fields kubelet does not
// have are warned about.
Status LoadKubeletConfig(const std::string& path, KubeletConfigFile* out, std::vector<std::string>* warnings);
Status ParseKubeletConfig(const std::string& text, const std::string& name, KubeletConfigFile* out,
                          std::vector<std::string>* warnings);

}  // namespace crilet::manifests
