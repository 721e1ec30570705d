// The /configz document from DaemonConfig.
#include "cli/configz.h"

#include "common/duration.h"

namespace crilet::cli {

std::string LocalStoragePath(const DaemonConfig& c) {
  return c.local_storage_path.empty() ? c.root_dir + "/persistent-volumes" : c.local_storage_path;
}

nlohmann::json ConfigzJson(const DaemonConfig& c, const std::string& node_name, const std::string& node_ip) {
  return {{"staticPodPath", c.manifest_path},
         {"staticPodURL", c.manifest_url},
         {"containerRuntimeEndpoint", c.runtime_endpoint},
         {"podLogsDir", c.pod_logs_dir},
         {"rootDirectory", c.root_dir},
         {"localStoragePath", LocalStoragePath(c)},
         {"nodeName", node_name},
         {"nodeIP", node_ip},
         {"address", c.address},
         {"readOnlyPort", c.read_only_port},
         {"healthzBindAddress", c.healthz_bind_address},
         {"healthzPort", c.healthz_port},
         {"fileCheckFrequency", FormatDuration(c.file_check_frequency)},
         {"httpCheckFrequency", FormatDuration(c.http_check_frequency)},
         {"relistPeriod", FormatDuration(c.relist_period)},
         {"crashLoopBackOff", {{"initialContainerRestartPeriod", FormatDuration(c.crash_backoff_initial)},
                               {"maxContainerRestartPeriod", FormatDuration(c.crash_backoff_max)}}},
         {"containerLogMaxSize", c.container_log_max_size},
         {"containerLogMaxFiles", c.container_log_max_files},
         {"clusterDNS", c.cluster_dns},
         {"clusterDomain", c.cluster_domain},
         {"cgroupRoot", c.cgroup_root},
         {"cgroupsPerQOS", c.cgroups_per_qos},
         {"cgroupDriver", c.cgroup_driver},
         {"imageGCHighThresholdPercent", c.image_gc_high_threshold},
         {"imageGCLowThresholdPercent", c.image_gc_low_threshold},
         {"imageMinimumGCAge", FormatDuration(c.image_minimum_gc_age)},
         {"imageMaximumGCAge", FormatDuration(c.image_maximum_gc_age)},
         {"kubeReserved", c.kube_reserved},
         {"systemReserved", c.system_reserved},
         {"kubeReservedCgroup", c.kube_reserved_cgroup},
         {"systemReservedCgroup", c.system_reserved_cgroup},
         {"enforceNodeAllocatable", c.enforce_node_allocatable},
         {"podPidsLimit", c.pod_pids_limit},
         {"podInfraContainerImage", c.pod_infra_container_image}};
}

}  // namespace crilet::cli
