// The table of ignored kubelet flags and the security-first warnings about ignored settings.
#include "cli/ignored_settings.h"

#include <algorithm>

namespace crilet::cli {
namespace {

// Settings whose absence changes what a pod or a client can do to the node: each group is one warning line.
struct SecurityGroup {
  std::vector<std::string> settings;  // KubeletConfiguration fields and "--flags"
  const char* consequence;
};

const std::vector<SecurityGroup>& SecurityGroups() {
  static const std::vector<SecurityGroup> groups = {
      {{"authentication", "authorization", "--anonymous-auth", "--authentication-token-webhook",
        "--authentication-token-webhook-cache-ttl", "--authorization-mode", "--authorization-webhook-cache-authorized-ttl",
        "--authorization-webhook-cache-unauthorized-ttl", "--client-ca-file"},
       "crilet serves no authenticated API (kubelet's port 10250, with exec, attach and logs); its status server "
       "is read-only and unauthenticated, like kubelet's read-only port"},
      {{"tlsCertFile", "tlsPrivateKeyFile", "tlsCipherSuites", "tlsMinVersion", "rotateCertificates",
        "serverTLSBootstrap", "--tls-cert-file", "--tls-private-key-file", "--tls-cipher-suites", "--tls-min-version",
        "--rotate-certificates", "--rotate-server-certificates", "--cert-dir"},
       "crilet serves no HTTPS and uses no client or serving certificates"},
      {{"evictionHard", "evictionSoft", "evictionSoftGracePeriod", "evictionMinimumReclaim", "evictionMaxPodGracePeriod",
        "evictionPressureTransitionPeriod", "mergeDefaultEvictionSettings", "--eviction-hard", "--eviction-soft",
        "--eviction-soft-grace-period", "--eviction-minimum-reclaim", "--eviction-max-pod-grace-period",
        "--eviction-pressure-transition-period"},
       "crilet evicts no pods when the node runs low on memory, disk or PIDs"},
      {{"reservedMemory", "reservedSystemCPUs", "--reserved-memory", "--reserved-cpus"},
       "crilet pins no CPUs and no NUMA memory for the system (kubeReserved and systemReserved do reserve)"},
      {{"seccompDefault", "--seccomp-default"},
       "containers without a seccompProfile are not defaulted to RuntimeDefault by this setting"},
      {{"protectKernelDefaults", "--protect-kernel-defaults"}, "crilet does not check the kernel's tunables at start"},
      {{"allowedUnsafeSysctls", "--allowed-unsafe-sysctls"}, "crilet does not consult this list of unsafe sysctls"},
  };
  return groups;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

const std::vector<IgnoredFlag>& IgnoredKubeletFlags() {
  static const std::vector<IgnoredFlag> flags = {
      // Security-related (see SecurityGroups).
      {"anonymous-auth", "bool", "authentication"},
      {"authentication-token-webhook", "bool", "authentication"},
      {"authentication-token-webhook-cache-ttl", "", "authentication"},
      {"authorization-mode", "", "authorization"},
      {"authorization-webhook-cache-authorized-ttl", "", "authorization"},
      {"authorization-webhook-cache-unauthorized-ttl", "", "authorization"},
      {"client-ca-file", "", "authentication"},
      {"tls-cert-file", "", "tlsCertFile"},
      {"tls-private-key-file", "", "tlsPrivateKeyFile"},
      {"tls-cipher-suites", "", "tlsCipherSuites"},
      {"tls-min-version", "", "tlsMinVersion"},
      {"rotate-certificates", "bool", "rotateCertificates"},
      {"rotate-server-certificates", "bool", "serverTLSBootstrap"},
      {"cert-dir", "", ""},
      {"eviction-hard", "", "evictionHard"},
      {"eviction-soft", "", "evictionSoft"},
      {"eviction-soft-grace-period", "", "evictionSoftGracePeriod"},
      {"eviction-minimum-reclaim", "", "evictionMinimumReclaim"},
      {"eviction-max-pod-grace-period", "", "evictionMaxPodGracePeriod"},
      {"eviction-pressure-transition-period", "", "evictionPressureTransitionPeriod"},
      {"reserved-memory", "", "reservedMemory"},
      {"reserved-cpus", "", "reservedSystemCPUs"},
      {"seccomp-default", "bool", "seccompDefault"},
      {"protect-kernel-defaults", "bool", "protectKernelDefaults"},
      {"allowed-unsafe-sysctls", "", "allowedUnsafeSysctls"},
      // The API server, node registration and credentials: crilet has no API server.
      {"kubeconfig", "", ""},
      {"bootstrap-kubeconfig", "", ""},
      {"register-node", "bool", "registerNode"},
      {"register-schedulable", "bool", ""},
      {"register-with-taints", "", "registerWithTaints"},
      {"node-status-update-frequency", "", "nodeStatusUpdateFrequency"},
      {"node-status-max-images", "int32", "nodeStatusMaxImages"},
      {"kube-api-qps", "int32", "kubeAPIQPS"},
      {"kube-api-burst", "int32", "kubeAPIBurst"},
      {"kube-api-content-type", "", "contentType"},
      {"event-qps", "int32", "eventRecordQPS"},
      {"event-burst", "int32", "eventBurst"},
      {"cloud-provider", "", ""},
      {"cloud-config", "", ""},
      {"provider-id", "", "providerID"},
      {"image-credential-provider-config", "", ""},
      {"image-credential-provider-bin-dir", "", ""},
      // Loops, resources and the runtime that crilet does not implement.
      {"sync-frequency", "", "syncFrequency"},
      {"kubelet-cgroups", "", "kubeletCgroups"},
      {"runtime-cgroups", "", ""},
      {"system-cgroups", "", "systemCgroups"},
      {"cpu-cfs-quota", "bool", "cpuCFSQuota"},
      {"cpu-cfs-quota-period", "", "cpuCFSQuotaPeriod"},
      {"cpu-manager-policy", "", "cpuManagerPolicy"},
      {"cpu-manager-policy-options", "", "cpuManagerPolicyOptions"},
      {"cpu-manager-reconcile-period", "", "cpuManagerReconcilePeriod"},
      {"memory-manager-policy", "", "memoryManagerPolicy"},
      {"topology-manager-policy", "", "topologyManagerPolicy"},
      {"topology-manager-policy-options", "", "topologyManagerPolicyOptions"},
      {"topology-manager-scope", "", "topologyManagerScope"},
      {"qos-reserved", "", "qosReserved"},
      {"max-pods", "int32", "maxPods"},
      {"pods-per-core", "int32", "podsPerCore"},
      {"pod-cidr", "", "podCIDR"},
      {"image-service-endpoint", "", "imageServiceEndpoint"},
      {"image-minimum-gc-age", "", "imageMinimumGCAge"},
      {"minimum-container-ttl-duration", "", ""},
      {"maximum-dead-containers", "int32", ""},
      {"maximum-dead-containers-per-container", "int32", ""},
      {"serialize-image-pulls", "bool", "serializeImagePulls"},
      {"max-parallel-image-pulls", "int32", "maxParallelImagePulls"},
      {"registry-qps", "int32", "registryPullQPS"},
      {"registry-burst", "int32", "registryBurst"},
      {"container-log-max-workers", "int32", "containerLogMaxWorkers"},
      {"container-log-monitor-interval", "", "containerLogMonitorInterval"},
      {"streaming-connection-idle-timeout", "", "streamingConnectionIdleTimeout"},
      {"volume-stats-agg-period", "", "volumeStatsAggPeriod"},
      {"volume-plugin-dir", "", "volumePluginDir"},
      {"experimental-mounter-path", "", ""},
      {"keep-terminated-pod-volumes", "bool", ""},
      {"enable-controller-attach-detach", "bool", "enableControllerAttachDetach"},
      {"enable-server", "bool", "enableServer"},
      {"enable-debugging-handlers", "bool", "enableDebuggingHandlers"},
      {"contention-profiling", "bool", "enableContentionProfiling"},
      {"port", "int32", "port"},
      {"hairpin-mode", "", "hairpinMode"},
      {"make-iptables-util-chains", "bool", "makeIPTablesUtilChains"},
      {"iptables-masquerade-bit", "int32", "iptablesMasqueradeBit"},
      {"iptables-drop-bit", "int32", "iptablesDropBit"},
      {"oom-score-adj", "int32", "oomScoreAdj"},
      {"max-open-files", "int64", "maxOpenFiles"},
      {"fail-swap-on", "bool", "failSwapOn"},
      {"fail-cgroupv1", "bool", "failCgroupV1"},
      {"local-storage-capacity-isolation", "bool", "localStorageCapacityIsolation"},
      {"experimental-allocatable-ignore-eviction", "bool", ""},
      {"feature-gates", "", "featureGates"},
      {"config-dir", "", ""},
      {"lock-file", "", ""},
      {"exit-on-lock-contention", "bool", ""},
      {"runonce", "bool", ""},
      {"vmodule", "", ""},
      {"log-flush-frequency", "", ""},
      {"log-json-split-stream", "bool", ""},
      {"log-json-info-buffer-size", "", ""},
      {"log-text-split-stream", "bool", ""},
      {"log-text-info-buffer-size", "", ""},
  };
  return flags;
}

const IgnoredFlag* FindIgnoredFlag(const std::string& name) {
  for (const auto& f : IgnoredKubeletFlags()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

std::vector<std::string> IgnoredSettingsWarnings(const std::vector<std::string>& fields,
                                                 const std::vector<std::string>& flags) {
  std::vector<std::string> given = fields;
  for (const auto& f : flags) given.push_back("--" + f);
  std::vector<bool> said(given.size(), false);
  std::vector<std::string> out;
  for (const auto& group : SecurityGroups()) {
    std::vector<std::string> named;
    for (size_t i = 0; i < given.size(); i++) {
      if (std::find(group.settings.begin(), group.settings.end(), given[i]) == group.settings.end()) continue;
      if (std::find(named.begin(), named.end(), given[i]) == named.end()) named.push_back(given[i]);
      said[i] = true;
    }
    if (!named.empty()) out.push_back("crilet ignores " + Join(named) + " (security-related): " + group.consequence);
  }
  std::vector<std::string> rest;
  for (size_t i = 0; i < given.size(); i++) {
    if (!said[i] && std::find(rest.begin(), rest.end(), given[i]) == rest.end()) rest.push_back(given[i]);
  }
  if (!rest.empty()) {
    out.push_back("crilet ignores these kubelet settings, which it does not implement: " + Join(rest));
  }
  return out;
}

}  // namespace crilet::cli
