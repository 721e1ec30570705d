// Container spec + context -> CRI ContainerConfig, following kubelet's generateContainerConfig.
#include "agent/container_config.h"

#include <algorithm>
#include <cmath>

#include "common/expansion.h"
#include "agent/labels.h"
#include "agent/pod_cgroups.h"
#include "agent/sandbox_config.h"

namespace crilet::agent {
namespace {

using manifests::Container;
using manifests::Pod;

// Kubelet passes these to the runtime for every unprivileged container (securitycontext/util.go).
const std::vector<std::string> kDefaultMaskedPaths = {
    "/proc/asound",       "/proc/acpi",        "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",         "/sys/firmware",     "/sys/devices/virtual/powercap",
};
const std::vector<std::string> kDefaultReadonlyPaths = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

// metadata.labels['key'] -> key
bool SubscriptKey(const std::string& path, const std::string& prefix, std::string* key) {
  if (path.rfind(prefix + "['", 0) != 0 || path.size() < prefix.size() + 4 || path.substr(path.size() - 2) != "']") {
    return false;
  }
  *key = path.substr(prefix.size() + 2, path.size() - prefix.size() - 4);
  return true;
}

Status FieldRefValue(const Pod& pod, const ContainerContext& ctx, const std::string& path, std::string* out) {
  std::string key;
  if (path == "metadata.name") *out = pod.metadata.name;
  else if (path == "metadata.namespace") *out = pod.metadata.namespace_;
  else if (path == "metadata.uid") *out = pod.metadata.uid;
  else if (path == "spec.nodeName") *out = pod.spec.node_name;
  else if (path == "spec.serviceAccountName") *out = pod.spec.service_account_name;
  else if (path == "status.hostIP" || path == "status.hostIPs") *out = ctx.host_ip;
  else if (path == "status.podIP") *out = ctx.pod_ip;
  else if (path == "status.podIPs") {
    out->clear();
    for (const auto& ip : ctx.pod_ips) *out += (out->empty() ? "" : ",") + ip;
    if (ctx.pod_ips.empty()) *out = ctx.pod_ip;
  } else if (SubscriptKey(path, "metadata.labels", &key)) {
    auto it = pod.metadata.labels.find(key);
    *out = it == pod.metadata.labels.end() ? "" : it->second;
  } else if (SubscriptKey(path, "metadata.annotations", &key)) {
    auto it = pod.metadata.annotations.find(key);
    *out = it == pod.metadata.annotations.end() ? "" : it->second;
  } else {
    return Status::InvalidArgument("unsupported fieldRef " + path);
  }
  return Status::Ok();
}

const manifests::Quantity* FindQuantity(const std::map<std::string, manifests::Quantity>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? nullptr : &it->second;
}

cri::MountPropagation ToPropagation(const std::string& p) {
  if (p == "HostToContainer") return cri::MountPropagation::kHostToContainer;
  if (p == "Bidirectional") return cri::MountPropagation::kBidirectional;
  return cri::MountPropagation::kPrivate;
}

}  // namespace

Status ResourceFieldValue(const Pod& pod, const Container& self, const ContainerContext& ctx,
                          const manifests::ResourceFieldSelector& sel, std::string* out) {
  const Container* c = &self;
  if (!sel.container_name.empty()) {
    c = nullptr;
    for (const auto& k : pod.spec.containers) if (k.name == sel.container_name) c = &k;
    for (const auto& k : pod.spec.init_containers) if (k.name == sel.container_name) c = &k;
    if (!c) return Status::InvalidArgument("resourceFieldRef: no container named " + sel.container_name);
  }
  auto dot = sel.resource.find('.');
  if (dot == std::string::npos) return Status::InvalidArgument("unsupported resourceFieldRef " + sel.resource);
  std::string kind = sel.resource.substr(0, dot);
  std::string name = sel.resource.substr(dot + 1);
  const auto& table = kind == "limits" ? c->resources.limits : c->resources.requests;
  const manifests::Quantity* q = FindQuantity(table, name);
  if (kind == "requests" && !q) q = FindQuantity(c->resources.limits, name);  // requests default to limits
  int64_t milli = 0;
  if (q) {
    milli = q->milli;
  } else if (kind == "limits" && name == "cpu") {
    milli = ctx.node_cpu_milli;  // an unset limit reads as the node's allocatable
  } else if (kind == "limits" && name == "memory") {
    milli = (ctx.node_allocatable_memory_bytes > 0 ? ctx.node_allocatable_memory_bytes : ctx.node_memory_bytes) * 1000;
  }
  if (name == "cpu") {
    int64_t div = sel.divisor && sel.divisor->milli > 0 ? sel.divisor->milli : 1000;
    *out = std::to_string(static_cast<int64_t>(std::ceil(static_cast<double>(milli) / div)));
  } else {
    double value = std::ceil(static_cast<double>(milli) / 1000);
    double div = sel.divisor && sel.divisor->milli > 0 ? std::ceil(sel.divisor->milli / 1000.0) : 1;
    *out = std::to_string(static_cast<int64_t>(std::ceil(value / div)));
  }
  return Status::Ok();
}


void ImageUser(const std::optional<cri::Image>& image, std::optional<int64_t>* uid, std::string* username) {
  uid->reset();
  username->clear();
  if (image && image->uid) {
    *uid = image->uid;
  } else if (image && !image->username.empty()) {
    *username = image->username;
  } else {
    *uid = 0;  // "If non of them is set, treat it as root."
  }
}

Status VerifyRunAsNonRoot(const Pod& pod, const Container& c, const std::optional<int64_t>& uid,
                          const std::string& username) {
  const auto& psc = pod.spec.security_context;
  const auto& csc = c.security_context;
  // securitycontext.DetermineEffectiveSecurityContext: a container's field replaces the pod's.
  std::optional<bool> non_root;
  std::optional<int64_t> user;
  if (psc) {
    non_root = psc->run_as_non_root;
    user = psc->run_as_user;
  }
  if (csc && csc->run_as_non_root) non_root = csc->run_as_non_root;
  if (csc && csc->run_as_user) user = csc->run_as_user;
  if (!non_root.value_or(false)) return Status::Ok();
  // format.Pod, quoted with %q as kubelet does: "name_namespace(uid)"
  std::string where = "(pod: \"" + pod.metadata.name + "_" + pod.metadata.namespace_ + "(" + pod.metadata.uid +
                      ")\", container: " + c.name + ")";
  if (user) {
    if (*user == 0) return Status::InvalidArgument("container's runAsUser breaks non-root policy " + where);
    return Status::Ok();
  }
  if (!uid && !username.empty()) {
    return Status::InvalidArgument("container has runAsNonRoot and image has non-numeric user (" + username +
                                   "), cannot verify user is non-root " + where);
  }
  if (uid && *uid == 0) return Status::InvalidArgument("container has runAsNonRoot and image will run as root " + where);
  if (uid && (*uid < 0 || *uid > 2147483647)) {  // validation.IsValidUserID
    return Status::InvalidArgument("container has runAsNonRoot and image has an invalid user id (" + std::to_string(*uid) +
                                   "). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive " + where);
  }
  return Status::Ok();
}

std::string ContainerLogPath(const std::string& name, int32_t restart_count) {
  return name + "/" + std::to_string(restart_count) + ".log";
}

std::string CheckEnvVarName(const std::string& name) {
  auto first = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '.' || ch == '_'; };
  if (name.empty() || !first(name[0]) ||
      !std::all_of(name.begin(), name.end(), [&](char ch) { return first(ch) || (ch >= '0' && ch <= '9'); })) {
    return "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and "
           "must not start with a digit";
  }
  return "";
}

namespace {

const manifests::LocalObjects kNoObjects;

// The data a ConfigMap or Secret reference resolves to; null with *error set (or not, when optional and
// missing: then the reference is skipped).
const std::map<std::string, std::string>* ObjectData(const Pod& pod, const ContainerContext& ctx, bool secret,
                                                     const std::string& name, bool optional, Status* error) {
  const manifests::LocalObjects& objects = ctx.objects ? *ctx.objects : kNoObjects;
  const std::string& ns = pod.metadata.namespace_;
  if (secret) {
    if (const auto* s = objects.FindSecret(ns, name)) return &s->data;
  } else {
    if (const auto* m = objects.FindConfigMap(ns, name)) return &m->data;
  }
  if (!optional) *error = Status::NotFound(std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found");
  return nullptr;
}

}  // namespace

Status MakeEnvironment(const Pod& pod, const Container& c, const ContainerContext& ctx,
                       std::vector<std::pair<std::string, std::string>>* env, std::vector<std::string>* skipped) {
  env->clear();
  std::map<std::string, std::string> defined;
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto it = defined.find(name);
    if (it == defined.end()) return std::nullopt;
    return it->second;
  };
  auto define = [&](const std::string& name, const std::string& value) {
    defined[name] = value;
    // A later definition of the same name replaces the earlier one in place, as kubelet does.
    auto same = std::find_if(env->begin(), env->end(), [&](const auto& kv) { return kv.first == name; });
    if (same != env->end()) {
      same->second = value;
    } else {
      env->emplace_back(name, value);
    }
  };
  for (const auto& from : c.env_from) {
    const bool secret = from.secret_ref.has_value();
    const manifests::KeySelector& ref = secret ? *from.secret_ref : *from.config_map_ref;
    Status error;
    const auto* data = ObjectData(pod, ctx, secret, ref.name, ref.optional, &error);
    if (!error.ok()) return error;
    if (!data) continue;
    std::vector<std::string> invalid;
    for (const auto& [key, value] : *data) {
      std::string name = from.prefix + key;
      if (!CheckEnvVarName(name).empty()) {
        invalid.push_back(name);
        continue;
      }
      define(name, value);
    }
    if (!invalid.empty() && skipped) {
      std::string keys;
      for (const auto& k : invalid) keys += (keys.empty() ? "" : ", ") + k;
      skipped->push_back("Keys [" + keys + "] from the EnvFrom " + (secret ? "secret " : "configMap ") +
                         pod.metadata.namespace_ + "/" + ref.name +
                         " were skipped since they are considered invalid environment variable names.");
    }
  }
  for (const auto& e : c.env) {
    std::string value;
    if (e.config_map_key_ref || e.secret_key_ref) {
      const bool secret = e.secret_key_ref.has_value();
      const manifests::KeySelector& ref = secret ? *e.secret_key_ref : *e.config_map_key_ref;
      Status error;
      const auto* data = ObjectData(pod, ctx, secret, ref.name, ref.optional, &error);
      if (!error.ok()) return error;
      if (!data) continue;
      auto it = data->find(ref.key);
      if (it == data->end()) {
        if (ref.optional) continue;
        return Status::NotFound("couldn't find key " + ref.key + " in " + (secret ? "Secret " : "ConfigMap ") +
                                pod.metadata.namespace_ + "/" + ref.name);
      }
      value = it->second;
    } else if (e.field_ref) {
      if (Status s = FieldRefValue(pod, ctx, e.field_ref->field_path, &value); !s.ok()) {
        return s.Wrap("env " + e.name);
      }
    } else if (e.resource_field_ref) {
      if (Status s = ResourceFieldValue(pod, c, ctx, *e.resource_field_ref, &value); !s.ok()) {
        return s.Wrap("env " + e.name);
      }
    } else if (e.value) {
      value = Expand(*e.value, lookup);
    }
    define(e.name, value);
  }
  return Status::Ok();
}

cri::LinuxResources MakeResources(const Pod& pod, const Container& c, int64_t node_memory_bytes) {
  cri::LinuxResources r;
  const manifests::Quantity* cpu_req = FindQuantity(c.resources.requests, "cpu");
  const manifests::Quantity* cpu_lim = FindQuantity(c.resources.limits, "cpu");
  const manifests::Quantity* mem_lim = FindQuantity(c.resources.limits, "memory");
  if (!cpu_req) cpu_req = cpu_lim;  // API defaulting: requests default to limits
  r.cpu_shares = MilliCpuToShares(cpu_req ? cpu_req->milli : 0);
  if (cpu_lim && cpu_lim->milli > 0) {
    r.cpu_period = 100000;
    r.cpu_quota = std::max<int64_t>(cpu_lim->milli * r.cpu_period / 1000, 1000);
  }
  if (mem_lim) r.memory_limit_in_bytes = mem_lim->Value();
  r.oom_score_adj = ContainerOomScoreAdjust(pod, c, node_memory_bytes);
  return r;
}

Status BuildContainerConfig(const Pod& pod, const Container& c, const ContainerContext& ctx, cri::ContainerConfig* out) {
  cri::ContainerConfig& cfg = *out;
  cfg = cri::ContainerConfig{};
  cfg.name = c.name;
  cfg.attempt = static_cast<uint32_t>(ctx.restart_count);
  cfg.image = c.image;
  if (Status s = MakeEnvironment(pod, c, ctx, &cfg.envs, ctx.skipped_env); !s.ok()) return s;
  std::map<std::string, std::string> env_map(cfg.envs.begin(), cfg.envs.end());
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env_map.find(name);
    if (it == env_map.end()) return std::nullopt;
    return it->second;
  };
  for (const auto& s : c.command) cfg.command.push_back(Expand(s, lookup));
  for (const auto& s : c.args) cfg.args.push_back(Expand(s, lookup));
  cfg.working_dir = c.working_dir;

  bool mounts_etc_hosts = false;
  for (const auto& m : c.volume_mounts) {
    auto it = ctx.volume_paths.find(m.name);
    if (it == ctx.volume_paths.end()) {
      return Status::InvalidArgument("volumeMount " + m.name + ": volume is not prepared");
    }
    std::string host = it->second;
    if (!m.sub_path.empty()) host += "/" + m.sub_path;
    if (m.mount_path == "/etc/hosts") mounts_etc_hosts = true;
    bool read_only = m.read_only;
    for (const auto& v : pod.spec.volumes) {
      // persistentVolumeClaim.readOnly makes every mount of the claim read-only, as kubelet's mounter does.
      if (v.name == m.name && v.persistent_volume_claim && v.persistent_volume_claim->read_only) read_only = true;
      // configMap, secret, downwardAPI and projected volumes are always read-only (kubelet's mounters say so).
      if (v.name == m.name && v.object) read_only = true;
    }
    cfg.mounts.push_back(cri::Mount{m.mount_path, host, read_only, ToPropagation(m.mount_propagation)});
  }
  if (!ctx.etc_hosts_path.empty() && !mounts_etc_hosts) {
    cfg.mounts.push_back(cri::Mount{"/etc/hosts", ctx.etc_hosts_path, false, cri::MountPropagation::kPrivate});
  }
  if (!ctx.termination_message_path.empty() && !c.termination_message_path.empty()) {
    cfg.mounts.push_back(cri::Mount{c.termination_message_path, ctx.termination_message_path, false,
                                    cri::MountPropagation::kPrivate});
  }

  cfg.labels = ContainerLabels(pod, c);
  cfg.annotations = ContainerAnnotations(pod, c, ctx.restart_count);
  cfg.log_path = ContainerLogPath(c.name, ctx.restart_count);
  cfg.stdin = c.stdin;
  cfg.stdin_once = c.stdin_once;
  cfg.tty = c.tty;
  cfg.resources = MakeResources(pod, c, ctx.node_memory_bytes);

  cri::ContainerSecurity& sec = cfg.security;
  sec.namespaces = PodNamespaces(pod);
  const auto& psc = pod.spec.security_context;
  const auto& csc = c.security_context;
  if (psc) {
    sec.run_as_user = psc->run_as_user;
    sec.run_as_group = psc->run_as_group;
    // Kubelet's order: fsGroup first, then supplementalGroups.
    if (psc->fs_group) sec.supplemental_groups.push_back(*psc->fs_group);
    sec.supplemental_groups.insert(sec.supplemental_groups.end(), psc->supplemental_groups.begin(),
                                   psc->supplemental_groups.end());
  }
  sec.seccomp = EffectiveSeccomp(csc ? csc->seccomp_profile : std::nullopt, psc ? psc->seccomp_profile : std::nullopt,
                                 ctx.seccomp_root);
  if (csc) {
    if (csc->run_as_user) sec.run_as_user = csc->run_as_user;
    if (csc->run_as_group) sec.run_as_group = csc->run_as_group;
    sec.privileged = csc->privileged.value_or(false);
    sec.readonly_rootfs = csc->read_only_root_filesystem.value_or(false);
    if (csc->capabilities) {
      sec.add_capabilities = csc->capabilities->add;
      sec.drop_capabilities = csc->capabilities->drop;
    }
    // Only an explicit allowPrivilegeEscalation: false sets no_new_privs (kubelet's AddNoNewPrivileges).
    sec.no_new_privs = csc->allow_privilege_escalation.has_value() && !*csc->allow_privilege_escalation;
  }
  if (Status s = VerifyRunAsNonRoot(pod, c, ctx.image_uid, ctx.image_username); !s.ok()) return s;
  if (!sec.privileged) {
    bool unmasked = csc && csc->proc_mount && *csc->proc_mount == "Unmasked";
    if (!unmasked) {
      sec.masked_paths = kDefaultMaskedPaths;
      sec.readonly_paths = kDefaultReadonlyPaths;
    }
  }
  return Status::Ok();
}

}  // namespace crilet::agent
