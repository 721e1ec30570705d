// Merging defaults, the KubeletConfiguration file and flags.
#include "cli/daemon_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "common/duration.h"
#include "manifests/quantity.h"
#include "manifests/validation.h"

namespace crilet::cli {
namespace {

Status Duration(const std::optional<std::string>& flag, const char* name, std::chrono::nanoseconds* out) {
  if (!flag) return Status::Ok();
  std::string why;
  auto d = ParseDuration(*flag, &why);
  if (!d) return Status::InvalidArgument(std::string("--") + name + ": " + why);
  if (d->count() < 0) return Status::InvalidArgument(std::string("--") + name + ": must not be negative");
  *out = *d;
  return Status::Ok();
}

// kubelet's MapStringString flag: comma-separated key=value pairs, spaces trimmed.
Status ParseMapFlag(const std::string& text, std::map<std::string, std::string>* out) {
  std::stringstream list(text);
  std::string item;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  while (std::getline(list, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("malformed pair, expect string=string");
    (*out)[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
  }
  return Status::Ok();
}

}  // namespace

Status NodeAllocatableFromConfig(const DaemonConfig& c, agent::NodeAllocatableConfig* out) {
  *out = agent::NodeAllocatableConfig{};
  if (Status s = agent::ParseReservation(c.kube_reserved, &out->kube_reserved); !s.ok()) {
    return Status::InvalidArgument("--kube-reserved value failed to parse: " + s.message());
  }
  if (Status s = agent::ParseReservation(c.system_reserved, &out->system_reserved); !s.ok()) {
    return Status::InvalidArgument("--system-reserved value failed to parse: " + s.message());
  }
  out->kube_reserved_cgroup = c.kube_reserved_cgroup;
  out->system_reserved_cgroup = c.system_reserved_cgroup;
  out->enforce = c.enforce_node_allocatable;
  return Status::Ok();
}

std::vector<std::string> ConfigFileProblems(const DaemonConfig& c,
                                            const std::function<std::string(const std::string&, bool)>& open_error) {
  std::vector<std::string> out;
  if (!c.manifest_path.empty() && !open_error(c.manifest_path, true).empty()) {
    // Kubelet's file source: "Unable to read config path" ... "path does not exist, ignoring"; it keeps watching.
    out.push_back("staticPodPath " + c.manifest_path + ": path does not exist, ignoring (pods are read once it is created)");
  }
  if (!c.resolv_conf.empty()) {
    if (std::string why = open_error(c.resolv_conf, false); !why.empty()) {
      out.push_back("resolvConf: open " + c.resolv_conf + ": " + why +
                    " (pod sandboxes fail with FailedCreatePodSandBox until it exists)");
    }
  }
  return out;
}

std::string OpenError(const std::string& path, bool want_dir) {
  std::string why;
  if (want_dir) {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) return "";  // a file is a valid staticPodPath too
    why = std::strerror(errno);
  } else {
    std::ifstream in(path);
    if (in) return "";
    why = std::strerror(errno);
  }
  if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));  // as Go says it
  return why;
}

Status ResolveDaemonConfig(const RunFlags& f, const manifests::KubeletConfigFile* file, DaemonConfig* c) {
  if (file) {
    if (file->static_pod_path) c->manifest_path = *file->static_pod_path;
    if (file->static_pod_url) c->manifest_url = *file->static_pod_url;
    c->manifest_url_headers = file->static_pod_url_header;
    if (file->file_check_frequency) c->file_check_frequency = *file->file_check_frequency;
    if (file->http_check_frequency) c->http_check_frequency = *file->http_check_frequency;
    if (file->runtime_request_timeout) c->runtime_request_timeout = *file->runtime_request_timeout;
    if (file->container_runtime_endpoint) c->runtime_endpoint = *file->container_runtime_endpoint;
    if (file->address) c->address = *file->address;
    if (file->read_only_port) c->read_only_port = static_cast<int>(*file->read_only_port);
    if (file->healthz_bind_address) c->healthz_bind_address = *file->healthz_bind_address;
    if (file->healthz_port) c->healthz_port = static_cast<int>(*file->healthz_port);
    if (file->pod_logs_dir) c->pod_logs_dir = *file->pod_logs_dir;
    if (file->resolv_conf) c->resolv_conf = *file->resolv_conf;
    if (!file->cluster_dns.empty()) c->cluster_dns = file->cluster_dns;
    if (file->cluster_domain) c->cluster_domain = *file->cluster_domain;
    if (file->cgroup_root) c->cgroup_root = *file->cgroup_root;
    if (file->cgroups_per_qos) c->cgroups_per_qos = *file->cgroups_per_qos;
    if (file->cgroup_driver) c->cgroup_driver = *file->cgroup_driver;
    if (file->kube_reserved) c->kube_reserved = *file->kube_reserved;
    if (file->system_reserved) c->system_reserved = *file->system_reserved;
    if (file->kube_reserved_cgroup) c->kube_reserved_cgroup = *file->kube_reserved_cgroup;
    if (file->system_reserved_cgroup) c->system_reserved_cgroup = *file->system_reserved_cgroup;
    if (file->enforce_node_allocatable) {
      c->enforce_node_allocatable = *file->enforce_node_allocatable;
      c->enforce_node_allocatable_given = true;
    }
    if (file->pod_pids_limit) c->pod_pids_limit = *file->pod_pids_limit;
    if (file->image_maximum_gc_age) c->image_maximum_gc_age = *file->image_maximum_gc_age;
    if (file->image_gc_high_threshold_percent) c->image_gc_high_threshold = static_cast<int>(*file->image_gc_high_threshold_percent);
    if (file->image_gc_low_threshold_percent) c->image_gc_low_threshold = static_cast<int>(*file->image_gc_low_threshold_percent);
    if (file->image_minimum_gc_age) c->image_minimum_gc_age = *file->image_minimum_gc_age;
    if (file->crash_loop_max_restart_period) {
      c->crash_backoff_max = *file->crash_loop_max_restart_period;
      // Kubelet caps the initial delay at the configured maximum.
      c->crash_backoff_initial = std::min(c->crash_backoff_initial, c->crash_backoff_max);
    }
    if (file->container_log_max_size) c->container_log_max_size = *file->container_log_max_size;
    if (file->container_log_max_files) c->container_log_max_files = static_cast<int>(*file->container_log_max_files);
  }
  if (f.config) c->config_file = *f.config;
  if (f.pod_manifest_path) c->manifest_path = *f.pod_manifest_path;
  if (f.manifest_url) c->manifest_url = *f.manifest_url;
  for (const auto& h : f.manifest_url_headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("--manifest-url-header " + h + ": expected Name:Value");
    }
    c->manifest_url_headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
  }
  if (f.node_labels) {
    // kubelet's --node-labels: comma-separated key=value pairs (an empty value is allowed).
    std::stringstream list(*f.node_labels);
    std::string item;
    while (std::getline(list, item, ',')) {
      size_t eq = item.find('=');
      if (item.empty()) continue;
      if (eq == std::string::npos || eq == 0) {
        return Status::InvalidArgument("--node-labels " + *f.node_labels + ": \"" + item + "\" is not key=value");
      }
      c->node_labels[item.substr(0, eq)] = item.substr(eq + 1);
    }
  }
  if (f.runtime_endpoint) c->runtime_endpoint = *f.runtime_endpoint;
  if (f.root_dir) c->root_dir = *f.root_dir;
  if (f.local_storage_path) c->local_storage_path = *f.local_storage_path;
  if (f.pod_logs_dir) c->pod_logs_dir = *f.pod_logs_dir;
  if (f.hostname_override) c->node_name = *f.hostname_override;
  if (f.node_ip) c->node_ip = *f.node_ip;
  if (f.address) c->address = *f.address;
  if (f.read_only_port) c->read_only_port = *f.read_only_port;
  if (f.healthz_bind_address) c->healthz_bind_address = *f.healthz_bind_address;
  if (f.healthz_port) c->healthz_port = *f.healthz_port;
  if (f.cluster_domain) c->cluster_domain = *f.cluster_domain;
  if (!f.cluster_dns.empty()) c->cluster_dns = f.cluster_dns;
  if (f.resolv_conf) c->resolv_conf = *f.resolv_conf;
  if (f.cgroup_root) c->cgroup_root = *f.cgroup_root;
  if (f.cgroups_per_qos) c->cgroups_per_qos = *f.cgroups_per_qos;
  if (f.cgroup_driver) c->cgroup_driver = *f.cgroup_driver;
  // kubelet's map flags replace the file's map, and their repeats merge.
  for (auto [flag, value, into] : {std::tuple{"kube-reserved", &f.kube_reserved, &c->kube_reserved},
                                   std::tuple{"system-reserved", &f.system_reserved, &c->system_reserved}}) {
    if (!*value) continue;
    into->clear();
    if (Status s = ParseMapFlag(**value, into); !s.ok()) return Status::InvalidArgument(std::string("--") + flag + ": " + s.message());
  }
  if (f.kube_reserved_cgroup) c->kube_reserved_cgroup = *f.kube_reserved_cgroup;
  if (f.system_reserved_cgroup) c->system_reserved_cgroup = *f.system_reserved_cgroup;
  if (f.enforce_node_allocatable) {
    c->enforce_node_allocatable = *f.enforce_node_allocatable;
    c->enforce_node_allocatable_given = true;
  }
  if (f.pod_max_pids) c->pod_pids_limit = *f.pod_max_pids;
  if (f.image_gc_high_threshold) c->image_gc_high_threshold = *f.image_gc_high_threshold;
  if (f.image_gc_low_threshold) c->image_gc_low_threshold = *f.image_gc_low_threshold;
  if (f.pod_infra_container_image) c->pod_infra_container_image = *f.pod_infra_container_image;
  if (f.log_format) c->log_format = *f.log_format;
  if (f.container_log_max_size) c->container_log_max_size = *f.container_log_max_size;
  if (f.container_log_max_files) c->container_log_max_files = *f.container_log_max_files;
  c->verbosity = f.verbosity;
  if (f.exit_watcher) c->exit_watcher = *f.exit_watcher;
  c->allow_insecure_manifest_dir = f.allow_insecure_manifest_dir;
  if (Status s = Duration(f.file_check_frequency, "file-check-frequency", &c->file_check_frequency); !s.ok()) return s;
  if (Status s = Duration(f.http_check_frequency, "http-check-frequency", &c->http_check_frequency); !s.ok()) return s;
  if (Status s = Duration(f.relist_period, "relist-period", &c->relist_period); !s.ok()) return s;
  if (Status s = Duration(f.housekeeping_interval, "housekeeping-interval", &c->housekeeping_interval); !s.ok()) return s;
  if (Status s = Duration(f.crash_backoff_initial, "crash-loop-backoff-initial", &c->crash_backoff_initial); !s.ok()) return s;
  if (Status s = Duration(f.crash_backoff_max, "crash-loop-backoff-max", &c->crash_backoff_max); !s.ok()) return s;
  if (Status s = Duration(f.runtime_request_timeout, "runtime-request-timeout", &c->runtime_request_timeout); !s.ok()) return s;
  if (Status s = Duration(f.minimum_image_ttl_duration, "minimum-image-ttl-duration", &c->image_minimum_gc_age); !s.ok()) {
    return s;
  }
  if (Status s = Duration(f.image_gc_period, "image-gc-period", &c->image_gc_period); !s.ok()) return s;
  if (Status s = Duration(f.image_maximum_gc_age, "image-maximum-gc-age", &c->image_maximum_gc_age); !s.ok()) return s;
  if (c->cgroup_driver != "cgroupfs" && c->cgroup_driver != "systemd") {
    return Status::InvalidArgument("--cgroup-driver " + c->cgroup_driver + ": must be cgroupfs or systemd");
  }
  // pkg/kubelet/apis/config/validation.
  if (c->image_gc_high_threshold < 0 || c->image_gc_high_threshold > 100) {
    return Status::InvalidArgument("invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) " +
                                   std::to_string(c->image_gc_high_threshold) + " must be between 0 and 100, inclusive");
  }
  if (c->image_gc_low_threshold < 0 || c->image_gc_low_threshold > 100) {
    return Status::InvalidArgument("invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) " +
                                   std::to_string(c->image_gc_low_threshold) + " must be between 0 and 100, inclusive");
  }
  if (c->image_gc_low_threshold >= c->image_gc_high_threshold) {
    return Status::InvalidArgument("invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) " +
                                   std::to_string(c->image_gc_low_threshold) +
                                   " must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) " +
                                   std::to_string(c->image_gc_high_threshold));
  }
  if (c->image_maximum_gc_age < std::chrono::nanoseconds::zero()) {
    return Status::InvalidArgument("invalid configuration: imageMaximumGCAge " + FormatDuration(c->image_maximum_gc_age) +
                                   " must not be negative");
  }
  if (c->image_maximum_gc_age > std::chrono::nanoseconds::zero() && c->image_maximum_gc_age <= c->image_minimum_gc_age) {
    return Status::InvalidArgument("invalid configuration: imageMaximumGCAge " + FormatDuration(c->image_maximum_gc_age) +
                                   " must be greater than imageMinimumGCAge " + FormatDuration(c->image_minimum_gc_age));
  }
  // cmd/kubelet/app/server.go parses the reservations, then the configuration's validation checks the list.
  agent::NodeAllocatableConfig allocatable;
  if (Status s = NodeAllocatableFromConfig(*c, &allocatable); !s.ok()) return s;
  if (std::string why = agent::ValidateEnforceNodeAllocatable(allocatable, c->cgroups_per_qos,
                                                              c->enforce_node_allocatable_given);
      !why.empty()) {
    return Status::InvalidArgument(why);
  }
  if (c->image_gc_period <= std::chrono::nanoseconds::zero()) {
    return Status::InvalidArgument("--image-gc-period: must be positive");
  }

  if (c->manifest_path.empty() && c->manifest_url.empty()) {
    return Status::InvalidArgument(
        "no manifest source: give --pod-manifest-path DIR (or staticPodPath in --config), or --manifest-url URL");
  }
  if (c->read_only_port < 0 || c->read_only_port > 65535) {
    return Status::InvalidArgument("--read-only-port: must be 0 (disabled) to 65535");
  }
  if (c->healthz_port < 0 || c->healthz_port > 65535) {
    return Status::InvalidArgument("--healthz-port: must be 0 (disabled) to 65535");
  }
  if (c->relist_period < std::chrono::milliseconds(100)) {
    return Status::InvalidArgument("--relist-period: must be at least 100ms");
  }
  if (c->housekeeping_interval.count() != 0 && c->housekeeping_interval < std::chrono::milliseconds(100)) {
    return Status::InvalidArgument("--housekeeping-interval: must be 0 (no resource usage collection) or at least 100ms");
  }
  if (c->crash_backoff_initial <= std::chrono::nanoseconds(0) || c->crash_backoff_max < c->crash_backoff_initial) {
    return Status::InvalidArgument(
        "--crash-loop-backoff-initial must be positive and not above --crash-loop-backoff-max");
  }
  if (c->file_check_frequency < std::chrono::seconds(1) || c->http_check_frequency < std::chrono::seconds(1)) {
    return Status::InvalidArgument("--file-check-frequency and --http-check-frequency must be at least 1s");
  }
  std::string size_error;
  auto size = manifests::ParseQuantity(c->container_log_max_size, &size_error);
  if (!size || size->Value() <= 0) {
    return Status::InvalidArgument("--container-log-max-size " + c->container_log_max_size + ": " +
                                   (size_error.empty() ? "must be positive" : size_error));
  }
  if (c->container_log_max_files < 2) {
    return Status::InvalidArgument("--container-log-max-files: must be at least 2 (the live file and one rotated)");
  }
  if (!c->node_name.empty()) {
    // The node name becomes part of every static pod's name, and so of its log directory's path.
    std::string lower = c->node_name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (auto why = manifests::CheckDnsSubdomain(lower); !why.empty()) {
      return Status::InvalidArgument("--hostname-override " + c->node_name + ": " + why);
    }
  }
  if (c->log_format != "text" && c->log_format != "json") {
    return Status::InvalidArgument("--logging-format: must be text or json");
  }
  return Status::Ok();
}

}  // namespace crilet::cli
