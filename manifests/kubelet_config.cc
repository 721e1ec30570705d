// KubeletConfiguration YAML reading.
#include "manifests/kubelet_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/duration.h"
#include "common/logging.h"
#include "manifests/parser.h"
#include "manifests/quantity.h"
#include "manifests/yaml_guard.h"

namespace crilet::manifests {
namespace {

// KubeletConfiguration v1beta1 fields crilet accepts without acting on them (a kubeadm config sets many).
const std::set<std::string> kKnownIgnored = {
    "authentication", "authorization", "clusterTrustBundle", "containerLogMaxWorkers",
    "containerLogMonitorInterval", "cpuCFSQuota", "cpuCFSQuotaPeriod", "cpuManagerPolicy", "cpuManagerPolicyOptions",
    "cpuManagerReconcilePeriod", "enableControllerAttachDetach", "enableDebuggingHandlers", "enableProfilingHandler",
    "enableServer", "enableSystemLogHandler", "eventBurst", "eventRecordQPS",
    "evictionHard", "evictionMaxPodGracePeriod", "evictionMinimumReclaim", "evictionPressureTransitionPeriod",
    "evictionSoft", "evictionSoftGracePeriod", "failSwapOn", "featureGates", "fileCheckFrequency_",
    "hairpinMode", "httpCheckFrequency_", "imageServiceEndpoint",
    "iptablesDropBit", "iptablesMasqueradeBit", "kernelMemcgNotification", "kubeAPIBurst", "kubeAPIQPS",
    "kubeletCgroups", "localStorageCapacityIsolation", "logging",
    "makeIPTablesUtilChains", "maxOpenFiles", "maxParallelImagePulls", "maxPods", "memoryManagerPolicy",
    "memorySwap", "memoryThrottlingFactor", "nodeLeaseDurationSeconds", "nodeStatusMaxImages",
    "nodeStatusReportFrequency", "nodeStatusUpdateFrequency", "oomScoreAdj", "podCIDR", "port", "protectKernelDefaults", "providerID", "qosReserved", "registerNode", "registerWithTaints",
    "registryBurst", "registryPullQPS", "reservedMemory", "reservedSystemCPUs", "rotateCertificates",
    "runOnce", "seccompDefault", "serializeImagePulls", "serverTLSBootstrap", "shutdownGracePeriod",
    "shutdownGracePeriodCriticalPods", "shutdownGracePeriodByPodPriority", "singleProcessOOMKill",
    "staticPodURLHeader_", "streamingConnectionIdleTimeout", "systemCgroups", "tlsCertFile", "tlsCipherSuites",
    "tlsMinVersion", "tlsPrivateKeyFile",
    "topologyManagerPolicy", "topologyManagerPolicyOptions", "topologyManagerScope", "volumePluginDir",
    "volumeStatsAggPeriod", "allowedUnsafeSysctls", "containerRuntime", "enableCRIStreaming",
    "imagePullCredentialsVerificationPolicy", "preloadedImagesVerificationAllowlist", "podsPerCore",
    "userNamespaces", "mergeDefaultEvictionSettings", "failCgroupV1", "systemReservedCgroup_",
    "imageMinimumGCAge_", "podLogsDir_", "kind", "apiVersion", "enableConfigFileCheck",
};

std::string Scalar(const YAML::Node& n, const std::string& path, Status* err) {
  if (!n.IsScalar()) {
    *err = Status::InvalidArgument(path + ": must be a string");
    return "";
  }
  return n.Scalar();
}

Status ParseKubeletConfigNode(const YAML::Node& root, const std::string& name, KubeletConfigFile* out,
                              std::vector<std::string>* warnings);

}  // namespace

Status ParseKubeletConfig(const std::string& text, const std::string& name, KubeletConfigFile* out,
                          std::vector<std::string>* warnings) {
  std::vector<YAML::Node> docs;
  YamlLoadError refused;
  if (!SafeLoadAll(text, YamlLimits{}, &docs, &refused)) {
    return Status::InvalidArgument(name + (refused.line > 0 ? ":" + std::to_string(refused.line) : "") + ": " +
                                   refused.message);
  }
  YAML::Node root;
  for (const auto& d : docs) {
    if (!d.IsDefined() || d.IsNull()) continue;
    if (root.IsDefined() && !root.IsNull()) {
      return Status::InvalidArgument(name + ":" + std::to_string(d.Mark().line + 1) +
                                     ": a config file holds one KubeletConfiguration, not several documents");
    }
    root = d;
  }
  try {
    return ParseKubeletConfigNode(root, name, out, warnings);
  } catch (const std::exception& e) {
    // Nothing in a config file may crash crilet: any surprise from yaml-cpp becomes an error.
    return Status::InvalidArgument(name + ": cannot read: " + e.what());
  }
}

namespace {

Status ParseKubeletConfigNode(const YAML::Node& root, const std::string& name, KubeletConfigFile* out,
                              std::vector<std::string>* warnings) {
  if (!root.IsMap()) return Status::InvalidArgument(name + ": not a KubeletConfiguration (expected an object)");
  std::string kind = ScalarField(root, "kind");
  std::string api = ScalarField(root, "apiVersion");
  if (kind != "KubeletConfiguration") {
    return Status::InvalidArgument(name + ": kind is \"" + kind + "\", expected KubeletConfiguration");
  }
  if (api != "kubelet.config.k8s.io/v1beta1") {
    return Status::InvalidArgument(name + ": apiVersion is \"" + api + "\", expected kubelet.config.k8s.io/v1beta1");
  }
  Status err;
  auto where = [&](const YAML::Node& n, const std::string& key) {
    return name + ":" + std::to_string(n.Mark().line + 1) + ": " + key;
  };
  // Kubelet defaults zero values: kubeadm writes "0s" and "" for fields it leaves to the default.
  auto duration = [&](const YAML::Node& n, const std::string& key) -> std::optional<std::chrono::nanoseconds> {
    std::string s = Scalar(n, where(n, key), &err);
    std::string why;
    auto d = ParseDuration(s, &why);
    if (!d && err.ok()) err = Status::InvalidArgument(where(n, key) + ": " + why);
    if (d && d->count() == 0) return std::nullopt;
    return d;
  };
  auto boolean = [&](const YAML::Node& n, const std::string& key) -> std::optional<bool> {
    std::string s = Scalar(n, where(n, key), &err);
    if (s == "true") return true;
    if (s == "false") return false;
    if (err.ok()) err = Status::InvalidArgument(where(n, key) + ": must be true or false");
    return std::nullopt;
  };
  auto str_or_unset = [&](const YAML::Node& n, const std::string& key) -> std::optional<std::string> {
    std::string s = Scalar(n, where(n, key), &err);
    if (s.empty()) return std::nullopt;
    return s;
  };
  auto integer = [&](const YAML::Node& n, const std::string& key, int64_t min, int64_t max) -> std::optional<int64_t> {
    std::string s = Scalar(n, where(n, key), &err);
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE || v < min || v > max) {
      if (err.ok()) {
        err = Status::InvalidArgument(where(n, key) + ": must be a whole number from " + std::to_string(min) + " to " +
                                      std::to_string(max));
      }
      return std::nullopt;
    }
    return v;
  };
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) return Status::InvalidArgument(where(kv.first, "(key)") + ": keys must be strings");
    std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (v.IsNull()) continue;
    if (key == "staticPodPath") out->static_pod_path = str_or_unset(v, key);
    else if (key == "staticPodURL") out->static_pod_url = str_or_unset(v, key);
    else if (key == "staticPodURLHeader") {
      if (!v.IsMap()) return Status::InvalidArgument(where(v, key) + ": must map header names to lists of values");
      for (const auto& h : v) {
        std::string header = h.first.Scalar();
        if (h.second.IsScalar()) {  // a single value where kubelet wants a list: taken as one value
          out->static_pod_url_header.emplace_back(header, h.second.Scalar());
          continue;
        }
        if (!h.second.IsSequence()) {
          return Status::InvalidArgument(where(h.second, key + "." + header) + ": must be a list of strings");
        }
        for (const auto& value : h.second) {
          if (!value.IsScalar()) {
            return Status::InvalidArgument(where(value, key + "." + header) + ": must be a list of strings");
          }
          out->static_pod_url_header.emplace_back(header, value.Scalar());
        }
      }
    } else if (key == "fileCheckFrequency") out->file_check_frequency = duration(v, key);
    else if (key == "httpCheckFrequency") out->http_check_frequency = duration(v, key);
    else if (key == "syncFrequency") {
      // Checked, but crilet has no periodic resync to apply it to: it syncs a pod on every change the relist sees.
      out->sync_frequency = duration(v, key);
      out->ignored_fields.push_back(key);
    }
    else if (key == "runtimeRequestTimeout") out->runtime_request_timeout = duration(v, key);
    else if (key == "containerRuntimeEndpoint") out->container_runtime_endpoint = str_or_unset(v, key);
    else if (key == "address") out->address = str_or_unset(v, key);
    else if (key == "readOnlyPort") out->read_only_port = integer(v, key, 0, 65535);
    else if (key == "healthzBindAddress") out->healthz_bind_address = str_or_unset(v, key);
    else if (key == "healthzPort") out->healthz_port = integer(v, key, 0, 65535);
    else if (key == "podLogsDir") out->pod_logs_dir = str_or_unset(v, key);
    else if (key == "resolvConf") out->resolv_conf = str_or_unset(v, key);
    else if (key == "clusterDomain") out->cluster_domain = str_or_unset(v, key);
    else if (key == "cgroupRoot") out->cgroup_root = str_or_unset(v, key);
    else if (key == "cgroupDriver") out->cgroup_driver = str_or_unset(v, key);
    else if (key == "cgroupsPerQOS") out->cgroups_per_qos = boolean(v, key);
    else if (key == "imageGCHighThresholdPercent") out->image_gc_high_threshold_percent = integer(v, key, 0, 100);
    else if (key == "imageGCLowThresholdPercent") out->image_gc_low_threshold_percent = integer(v, key, 0, 100);
    else if (key == "imageMinimumGCAge") out->image_minimum_gc_age = duration(v, key);
    else if (key == "imageMaximumGCAge") out->image_maximum_gc_age = duration(v, key);
    else if (key == "kubeReserved" || key == "systemReserved") {
      if (!v.IsMap()) return Status::InvalidArgument(where(v, key) + ": must map resource names to quantities");
      std::map<std::string, std::string> m;
      for (const auto& r : v) {
        if (!r.first.IsScalar()) return Status::InvalidArgument(where(r.first, key) + ": keys must be strings");
        m[r.first.Scalar()] = Scalar(r.second, where(r.second, key + "." + r.first.Scalar()), &err);
      }
      (key == "kubeReserved" ? out->kube_reserved : out->system_reserved) = m;
    } else if (key == "kubeReservedCgroup") out->kube_reserved_cgroup = str_or_unset(v, key);
    else if (key == "systemReservedCgroup") out->system_reserved_cgroup = str_or_unset(v, key);
    else if (key == "enforceNodeAllocatable") {
      if (!v.IsSequence()) return Status::InvalidArgument(where(v, key) + ": must be a list of strings");
      std::vector<std::string> list;
      for (const auto& item : v) list.push_back(Scalar(item, where(item, key), &err));
      out->enforce_node_allocatable = list;
    } else if (key == "podPidsLimit") out->pod_pids_limit = integer(v, key, INT64_MIN, INT64_MAX);
    else if (key == "containerLogMaxSize") {
      out->container_log_max_size = str_or_unset(v, key);
      std::string why;
      auto q = out->container_log_max_size ? ParseQuantity(*out->container_log_max_size, &why) : std::nullopt;
      if (out->container_log_max_size && (!q || q->milli <= 0) && err.ok()) {
        err = Status::InvalidArgument(where(v, key) + ": must be a positive quantity such as 10Mi");
      }
    } else if (key == "containerLogMaxFiles") out->container_log_max_files = integer(v, key, 2, INT32_MAX);
    else if (key == "clusterDNS") {
      if (!v.IsSequence()) return Status::InvalidArgument(where(v, key) + ": must be a list of IP addresses");
      for (const auto& ip : v) out->cluster_dns.push_back(Scalar(ip, where(ip, key), &err));
    } else if (key == "crashLoopBackOff") {
      if (!v.IsMap()) return Status::InvalidArgument(where(v, key) + ": must be an object");
      for (const auto& c : v) {
        std::string sub = c.first.Scalar();
        if (sub == "maxContainerRestartPeriod") {
          out->crash_loop_max_restart_period = duration(c.second, key + "." + sub);
        } else {
          warnings->push_back(where(c.first, key + "." + sub) + ": unknown field, ignored");
        }
      }
    } else if (kKnownIgnored.count(key)) {
      if (key != "apiVersion" && key != "kind") out->ignored_fields.push_back(key);
    } else {
      warnings->push_back(where(kv.first, key) + ": unknown field, ignored");
    }
    if (!err.ok()) return err;
  }
  if (out->crash_loop_max_restart_period &&
      (*out->crash_loop_max_restart_period < std::chrono::seconds(1) ||
       *out->crash_loop_max_restart_period > std::chrono::seconds(300))) {
    return Status::InvalidArgument(name + ": crashLoopBackOff.maxContainerRestartPeriod: must be between 1s and 300s");
  }
  if (out->cgroup_driver && *out->cgroup_driver != "cgroupfs" && *out->cgroup_driver != "systemd") {
    return Status::InvalidArgument(name + ": cgroupDriver: must be cgroupfs or systemd");
  }
  return Status::Ok();
}

}  // namespace

Status LoadKubeletConfig(const std::string& path, KubeletConfigFile* out, std::vector<std::string>* warnings) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseKubeletConfig(ss.str(), path, out, warnings);
}

}  // namespace crilet::manifests
