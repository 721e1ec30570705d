/// DaemonConfig: crilet run's settings, resolved as kubelet does: defaults, then the --config file, then flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/node_allocatable.h"
#include "common/status.h"
#include "manifests/kubelet_config.h"

namespace crilet::cli {

struct DaemonConfig {
  std::string config_file;
  std::string manifest_path;
  std::string manifest_url;
  std::vector<std::pair<std::string, std::string>> manifest_url_headers;
  std::string runtime_endpoint = "unix:///run/containerd/containerd.sock";
  std::string root_dir = "/var/lib/crilet";
  std::string local_storage_path;  // "" = <root_dir>/persistent-volumes
  std::string pod_logs_dir = "/var/log/pods";
  std::string node_name;  // "" = the host name
  std::string node_ip;    // "" = the default route's address
  std::string address = "127.0.0.1";
  int read_only_port = 10255;
  // Kubelet's healthz server (kubeadm's kubelet-check polls http://127.0.0.1:10248/healthz); port 0 disables it.
  std::string healthz_bind_address = "127.0.0.1";
  int healthz_port = 10248;
  std::chrono::nanoseconds file_check_frequency = std::chrono::seconds(20);
  std::chrono::nanoseconds http_check_frequency = std::chrono::seconds(20);
  std::chrono::nanoseconds relist_period = std::chrono::seconds(1);
  // cAdvisor's --housekeeping-interval, kubelet's stats period: resource usage is collected this often; 0 = off.
  std::chrono::nanoseconds housekeeping_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds crash_backoff_initial = std::chrono::seconds(10);
  std::chrono::nanoseconds crash_backoff_max = std::chrono::seconds(300);
  std::chrono::nanoseconds runtime_request_timeout = std::chrono::minutes(2);
  std::vector<std::string> cluster_dns;
  std::string cluster_domain;
  std::string resolv_conf = "/etc/resolv.conf";
  std::string cgroup_root;
  bool cgroups_per_qos = true;
  std::string cgroup_driver = "cgroupfs";
  // Node allocatable: kubeReserved/systemReserved as given ("cpu" -> "500m"), checked by ResolveDaemonConfig.
  std::map<std::string, std::string> kube_reserved, system_reserved;
  std::string kube_reserved_cgroup, system_reserved_cgroup;
  std::vector<std::string> enforce_node_allocatable = {"pods"};
  bool enforce_node_allocatable_given = false;  // set by the file or a flag (not kubelet's default)
  int64_t pod_pids_limit = -1;                  // podPidsLimit, --pod-max-pids
  int image_gc_high_threshold = 85;
  int image_gc_low_threshold = 80;
  std::chrono::nanoseconds image_minimum_gc_age = std::chrono::minutes(2);
  std::chrono::nanoseconds image_maximum_gc_age{0};  // imageMaximumGCAge, --image-maximum-gc-age; 0 = off
  std::chrono::nanoseconds image_gc_period = std::chrono::minutes(5);
  // kubelet 1.33's default; the image GC keeps it whatever uses it (set it to the runtime's sandbox_image).
  std::string pod_infra_container_image = "registry.k8s.io/pause:3.10";
  std::string container_log_max_size = "10Mi";
  int container_log_max_files = 5;
  int verbosity = 0;
  std::string log_format = "text";
  bool exit_watcher = true;
  // Manifests run privileged containers as root: a manifest path or file that someone other than root (or
  // crilet's user) could change is refused, unless this is set (then it is one warning at start).
  bool allow_insecure_manifest_dir = false;
  std::map<std::string, std::string> node_labels;  // --node-labels, for admission (nodeSelector, affinity)
};

// Flags as given on the command line; unset ones do not override the config file.
struct RunFlags {
  std::optional<std::string> config, pod_manifest_path, manifest_url, runtime_endpoint, root_dir, pod_logs_dir,
      local_storage_path,
      hostname_override, node_ip, address, healthz_bind_address, cluster_domain, resolv_conf, cgroup_root, log_format,
      container_log_max_size, cgroup_driver, pod_infra_container_image;
  std::optional<bool> cgroups_per_qos;
  std::optional<int> image_gc_high_threshold, image_gc_low_threshold;
  std::optional<std::string> minimum_image_ttl_duration, image_maximum_gc_age, image_gc_period;
  // --kube-reserved / --system-reserved as kubelet's map flags: repeats merge ("cpu=1,memory=1Gi" joined by ",").
  std::optional<std::string> kube_reserved, system_reserved, kube_reserved_cgroup, system_reserved_cgroup;
  std::optional<std::vector<std::string>> enforce_node_allocatable;  // pflag string slice: "" = none
  std::optional<int64_t> pod_max_pids;
  std::optional<std::string> file_check_frequency, http_check_frequency, relist_period, crash_backoff_initial,
      crash_backoff_max, runtime_request_timeout, housekeeping_interval;
  std::optional<int> read_only_port, healthz_port, container_log_max_files;
  std::vector<std::string> manifest_url_headers;  // "Name:Value"
  std::optional<std::string> node_labels;         // "key=value,key2=value2"
  std::vector<std::string> cluster_dns;
  int verbosity = 0;
  std::optional<bool> exit_watcher;
  bool allow_insecure_manifest_dir = false;
  std::vector<std::string> ignored_flags;  // kubelet flags given that crilet does not act on, without dashes
};

// What is wrong with the node files the configuration names, in kubelet's words; kubelet runs with these, and so
// does crilet: a missing staticPodPath ("path does not exist, ignoring": no pods until it appears) and a missing
// resolvConf (pod sandboxes fail until it appears). Logged at start and listed by /healthz?verbose.
// `open_error(path, want_dir)` is "" when the path is usable, else why not ("no such file or directory").
std::vector<std::string> ConfigFileProblems(const DaemonConfig& c,
                                            const std::function<std::string(const std::string&, bool)>& open_error);
// open_error for ConfigFileProblems on the real file system.
std::string OpenError(const std::string& path, bool want_dir);

// Applies the config file (if any) and then the flags onto the defaults. Errors name the flag or field.
Status ResolveDaemonConfig(const RunFlags& flags, const manifests::KubeletConfigFile* file, DaemonConfig* out);

// The reservations and enforcement list as the agent takes them; errors are kubelet's ("--kube-reserved value
// failed to parse: cannot reserve \"gpu\" resource"). ResolveDaemonConfig has checked them already.
Status NodeAllocatableFromConfig(const DaemonConfig& c, agent::NodeAllocatableConfig* out);

}  // namespace crilet::cli
