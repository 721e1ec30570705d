/// BuildSandboxConfig: the CRI PodSandboxConfig kubelet would send for a pod (names, DNS, ports, namespaces).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/options.h"
#include "common/status.h"
#include "cri/types.h"
#include "manifests/pod.h"

namespace crilet::agent {

// The host's resolver settings, parsed from resolv.conf.
cri::DnsConfig ParseResolvConf(std::string_view text);

// Reads and parses the host's resolv.conf at `path`, as kubelet's getHostDNSConfig does for every pod sandbox
// (whatever its dnsPolicy): a file that cannot be opened is an error in Go's words ("open /etc/resolv.conf: no
// such file or directory"), which fails the sandbox until the file is back. An empty path gives an empty config.
Status ReadHostDns(const std::string& path, cri::DnsConfig* out);

struct DnsDecision {
  cri::DnsConfig config;
  // Set when kubelet would record a MissingClusterDNS event (ClusterFirst without clusterDNS configured).
  bool missing_cluster_dns = false;
};

// Kubelet's dns.go: ClusterFirst uses cluster DNS when configured (not for hostNetwork unless
// ClusterFirstWithHostNet), else falls back to the host's; Default uses the host's; None only dnsConfig;
// then dnsConfig's nameservers, searches and options are merged in.
DnsDecision ComputeDns(const manifests::Pod& pod, const AgentOptions& options, const cri::DnsConfig& host);

// "<ns>_<name>_<uid>" under pod_logs_dir.
std::string PodLogDirectory(const AgentOptions& options, const manifests::Pod& pod);

// Hostname for the sandbox: spec.hostname or the pod name, at most 63 characters; "" for hostNetwork
// (runc cannot set a hostname without its own UTS namespace).
std::string SandboxHostname(const manifests::Pod& pod);

cri::NamespaceOptions PodNamespaces(const manifests::Pod& pod);

// Kubelet's seccomp profile root, <root-dir>/seccomp.
std::string SeccompRoot(const AgentOptions& options);

// Kubelet's getSeccompProfile/fieldSeccompProfile: the container's profile, else the pod's; a Localhost
// profile becomes the absolute path <seccomp_root>/<localhostProfile>, which is what the runtime opens.
// nullopt when neither is set (the runtime's default, Unconfined, as kubelet without seccompDefault).
std::optional<cri::SeccompProfile> EffectiveSeccomp(const std::optional<manifests::SeccompProfile>& container,
                                                    const std::optional<manifests::SeccompProfile>& pod,
                                                    const std::string& seccomp_root);

cri::SandboxConfig BuildSandboxConfig(const manifests::Pod& pod, uint32_t attempt, const AgentOptions& options,
                                      const cri::DnsConfig& dns);

}  // namespace crilet::agent
