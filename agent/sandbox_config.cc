// Pod -> CRI PodSandboxConfig, following kubelet's generatePodSandboxConfig.
#include "agent/sandbox_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/labels.h"

namespace crilet::agent {
namespace {

void AppendUnique(std::vector<std::string>* out, const std::string& v) {
  if (std::find(out->begin(), out->end(), v) == out->end()) out->push_back(v);
}

cri::Protocol ToProtocol(const std::string& p) {
  if (p == "UDP") return cri::Protocol::kUdp;
  if (p == "SCTP") return cri::Protocol::kSctp;
  return cri::Protocol::kTcp;
}

std::string OptionName(const std::string& opt) { return opt.substr(0, opt.find(':')); }

}  // namespace

cri::DnsConfig ParseResolvConf(std::string_view text) {
  cri::DnsConfig out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find_first_of("#;");
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key;
    if (!(words >> key)) continue;
    std::string v;
    if (key == "nameserver") {
      if (words >> v) out.servers.push_back(v);
    } else if (key == "search" || key == "domain") {
      out.searches.clear();  // the last search/domain line wins, as in glibc
      while (words >> v) out.searches.push_back(v);
    } else if (key == "options") {
      while (words >> v) out.options.push_back(v);
    }
  }
  return out;
}

Status ReadHostDns(const std::string& path, cri::DnsConfig* out) {
  *out = cri::DnsConfig{};
  if (path.empty()) return Status::Ok();
  std::ifstream in(path);
  if (!in) {
    std::string why = std::strerror(errno);  // Go spells errno texts in lower case
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return Status::FailedPrecondition("open " + path + ": " + why);
  }
  std::string text(64 * 1024, '\0');  // a resolver reads far less; this bounds a runaway file
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  *out = ParseResolvConf(text);
  return Status::Ok();
}

DnsDecision ComputeDns(const manifests::Pod& pod, const AgentOptions& options, const cri::DnsConfig& host) {
  DnsDecision d;
  const std::string& policy = pod.spec.dns_policy;
  bool use_cluster = false;
  bool use_host = false;
  if (policy == "None") {
    // Only dnsConfig below.
  } else if (policy == "Default") {
    use_host = true;
  } else if (policy == "ClusterFirstWithHostNet" || (policy != "Default" && !pod.spec.host_network)) {
    // ClusterFirst (or the default "") for pod-network pods, ClusterFirstWithHostNet for any pod.
    if (options.cluster_dns.empty()) {
      d.missing_cluster_dns = true;
      use_host = true;
    } else {
      use_cluster = true;
    }
  } else {
    use_host = true;  // ClusterFirst on the host network: the node's resolver
  }
  if (use_host) d.config = host;
  if (use_cluster) {
    d.config.servers = options.cluster_dns;
    if (!options.cluster_domain.empty()) {
      const std::string& ns = pod.metadata.namespace_;
      d.config.searches = {ns + ".svc." + options.cluster_domain, "svc." + options.cluster_domain, options.cluster_domain};
    }
    for (const auto& s : host.searches) AppendUnique(&d.config.searches, s);
    d.config.options = {"ndots:5"};
  }
  if (pod.spec.dns_config) {
    const auto& c = *pod.spec.dns_config;
    for (const auto& s : c.nameservers) AppendUnique(&d.config.servers, s);
    for (const auto& s : c.searches) AppendUnique(&d.config.searches, s);
    for (const auto& o : c.options) {
      std::string opt = o.value ? o.name + ":" + *o.value : o.name;
      auto same = std::find_if(d.config.options.begin(), d.config.options.end(),
                               [&](const std::string& have) { return OptionName(have) == o.name; });
      if (same != d.config.options.end()) {
        *same = opt;
      } else {
        d.config.options.push_back(opt);
      }
    }
  }
  // glibc reads at most 3 nameservers and 6 search domains (kubelet trims the same way).
  if (d.config.servers.size() > 3) d.config.servers.resize(3);
  if (d.config.searches.size() > 6) d.config.searches.resize(6);
  return d;
}

std::string PodLogDirectory(const AgentOptions& options, const manifests::Pod& pod) {
  return options.pod_logs_dir + "/" + pod.metadata.namespace_ + "_" + pod.metadata.name + "_" + pod.metadata.uid;
}

std::string SandboxHostname(const manifests::Pod& pod) {
  if (pod.spec.host_network) return "";
  std::string name = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

cri::NamespaceOptions PodNamespaces(const manifests::Pod& pod) {
  cri::NamespaceOptions ns;
  ns.network = pod.spec.host_network ? cri::NamespaceMode::kNode : cri::NamespaceMode::kPod;
  ns.ipc = pod.spec.host_ipc ? cri::NamespaceMode::kNode : cri::NamespaceMode::kPod;
  if (pod.spec.host_pid) {
    ns.pid = cri::NamespaceMode::kNode;
  } else if (pod.spec.share_process_namespace.value_or(false)) {
    ns.pid = cri::NamespaceMode::kPod;
  } else {
    ns.pid = cri::NamespaceMode::kContainer;
  }
  return ns;
}

std::string SeccompRoot(const AgentOptions& options) { return options.root_dir + "/seccomp"; }

std::optional<cri::SeccompProfile> EffectiveSeccomp(const std::optional<manifests::SeccompProfile>& container,
                                                    const std::optional<manifests::SeccompProfile>& pod,
                                                    const std::string& seccomp_root) {
  const std::optional<manifests::SeccompProfile>& chosen = container ? container : pod;
  if (!chosen) return std::nullopt;
  cri::SeccompProfile out;
  if (chosen->type == "RuntimeDefault") out.type = cri::SeccompProfile::Type::kRuntimeDefault;
  if (chosen->type == "Localhost") {
    out.type = cri::SeccompProfile::Type::kLocalhost;
    // filepath.Join(seccompProfileRoot, localhostProfile): validation keeps the profile relative and without "..".
    out.localhost_ref = (std::filesystem::path(seccomp_root) / chosen->localhost_profile).lexically_normal().string();
  }
  return out;
}

cri::SandboxConfig BuildSandboxConfig(const manifests::Pod& pod, uint32_t attempt, const AgentOptions& options,
                                      const cri::DnsConfig& dns) {
  cri::SandboxConfig c;
  c.metadata = cri::SandboxMetadata{pod.metadata.name, pod.metadata.uid, pod.metadata.namespace_, attempt};
  c.hostname = SandboxHostname(pod);
  c.log_directory = PodLogDirectory(options, pod);
  c.dns = dns;
  for (const auto& container : pod.spec.containers) {
    for (const auto& p : container.ports) {
      c.port_mappings.push_back(cri::PortMapping{ToProtocol(p.protocol), p.container_port, p.host_port, p.host_ip});
    }
  }
  c.labels = SandboxLabels(pod);
  if (!options.root_dir.empty()) c.labels[kInstanceLabel] = options.root_dir;  // which crilet owns it
  if (!pod.spec.node_name.empty()) c.labels[kNodeNameLabel] = pod.spec.node_name;
  c.annotations = pod.metadata.annotations;
  c.cgroup_parent = options.cgroup_parent;
  c.namespaces = PodNamespaces(pod);
  if (const auto& sc = pod.spec.security_context) {
    for (const auto& s : sc->sysctls) c.sysctls[s.name] = s.value;
    c.run_as_user = sc->run_as_user;
    c.run_as_group = sc->run_as_group;
    // Kubelet's order: fsGroup first, then supplementalGroups.
    if (sc->fs_group) c.supplemental_groups.push_back(*sc->fs_group);
    c.supplemental_groups.insert(c.supplemental_groups.end(), sc->supplemental_groups.begin(),
                                 sc->supplemental_groups.end());
    c.seccomp = EffectiveSeccomp(std::nullopt, sc->seccomp_profile, SeccompRoot(options));
  }
  auto privileged = [](const manifests::Container& k) {
    return k.security_context && k.security_context->privileged.value_or(false);
  };
  c.privileged = std::any_of(pod.spec.containers.begin(), pod.spec.containers.end(), privileged) ||
                 std::any_of(pod.spec.init_containers.begin(), pod.spec.init_containers.end(), privileged);
  return c;
}

}  // namespace crilet::agent
