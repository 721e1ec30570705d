// Kubernetes' v1 defaulting for the fields crilet supports.
#include "manifests/defaults.h"

namespace crilet::manifests {
namespace {

void DefaultHttpGet(HttpGetAction* h) {
  if (h->path.empty()) h->path = "/";
  if (h->scheme.empty()) h->scheme = "HTTP";
}

void DefaultProbe(std::optional<Probe>* probe) {
  if (!*probe) return;
  Probe& p = **probe;
  if (p.timeout_seconds == 0) p.timeout_seconds = 1;
  if (p.period_seconds == 0) p.period_seconds = 10;
  if (p.success_threshold == 0) p.success_threshold = 1;
  if (p.failure_threshold == 0) p.failure_threshold = 3;
  if (p.handler.http_get) DefaultHttpGet(&*p.handler.http_get);
}

void DefaultContainer(Container* c, bool host_network) {
  // SetDefaults_Pod: a limit without a request makes the request equal to the limit.
  for (const auto& [name, limit] : c->resources.limits) c->resources.requests.emplace(name, limit);
  if (c->image_pull_policy.empty()) c->image_pull_policy = DefaultPullPolicy(c->image);
  if (c->termination_message_path.empty()) c->termination_message_path = "/dev/termination-log";
  if (c->termination_message_policy.empty()) c->termination_message_policy = "File";
  for (auto& p : c->ports) {
    if (p.protocol.empty()) p.protocol = "TCP";
    if (host_network && p.host_port == 0) p.host_port = p.container_port;
  }
  for (auto& e : c->env) {
    if (e.field_ref && e.field_ref->api_version.empty()) e.field_ref->api_version = "v1";
  }
  DefaultProbe(&c->liveness_probe);
  DefaultProbe(&c->readiness_probe);
  DefaultProbe(&c->startup_probe);
  if (c->lifecycle) {
    for (auto* h : {&c->lifecycle->post_start, &c->lifecycle->pre_stop}) {
      if (*h && (*h)->http_get) DefaultHttpGet(&*(*h)->http_get);
    }
  }
}

}  // namespace

std::string DefaultPullPolicy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

std::optional<int32_t> SystemPriority(const std::string& priority_class_name) {
  if (priority_class_name == kSystemNodeCritical) return kSystemNodeCriticalPriority;
  if (priority_class_name == kSystemClusterCritical) return kSystemClusterCriticalPriority;
  return std::nullopt;
}

void ApplyDefaults(Pod* pod) {
  if (pod->metadata.namespace_.empty()) pod->metadata.namespace_ = "default";
  PodSpec& s = pod->spec;
  if (s.restart_policy.empty()) s.restart_policy = "Always";
  if (s.dns_policy.empty()) s.dns_policy = "ClusterFirst";
  if (!s.termination_grace_period_seconds) s.termination_grace_period_seconds = 30;
  // plugin/pkg/admission/priority: a pod without a priority gets its class's value. An explicit one is kept
  // (the API server would refuse a mismatch for the mirror pod; kubelet runs the static pod either way).
  if (!s.priority) s.priority = SystemPriority(s.priority_class_name);
  for (auto& v : s.volumes) {
    // SetDefaults_Volume: a volume without a source is an emptyDir.
    if (!v.empty_dir && !v.host_path && !v.persistent_volume_claim && !v.object) v.empty_dir = EmptyDirVolumeSource{};
    // SetDefaults_ConfigMapVolumeSource and its secret, downwardAPI and projected kin: defaultMode 0644.
    if (v.object && !v.object->default_mode) v.object->default_mode = kDefaultVolumeFileMode;
  }
  for (auto& c : s.init_containers) DefaultContainer(&c, s.host_network);
  for (auto& c : s.containers) DefaultContainer(&c, s.host_network);
}

}  // namespace crilet::manifests
