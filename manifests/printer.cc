// Deterministic YAML output of the Pod model.
#include "manifests/printer.h"

#include <yaml-cpp/yaml.h>

namespace crilet::manifests {
namespace {

using YAML::BeginMap;
using YAML::BeginSeq;
using YAML::EndMap;
using YAML::EndSeq;
using YAML::Key;
using YAML::Value;

void Port(YAML::Emitter& e, const char* key, const IntOrString& p) {
  e << Key << key;
  if (p.is_int) e << Value << p.int_value; else e << Value << p.str_value;
}

void Strings(YAML::Emitter& e, const char* key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  e << Key << key << Value << BeginSeq;
  for (const auto& s : v) e << s;
  e << EndSeq;
}

void StringMap(YAML::Emitter& e, const char* key, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  e << Key << key << Value << BeginMap;
  for (const auto& [k, v] : m) e << Key << k << Value << v;
  e << EndMap;
}

void HttpGet(YAML::Emitter& e, const HttpGetAction& h) {
  e << Key << "httpGet" << Value << BeginMap;
  if (!h.host.empty()) e << Key << "host" << Value << h.host;
  e << Key << "path" << Value << h.path;
  Port(e, "port", h.port);
  e << Key << "scheme" << Value << h.scheme;
  if (!h.http_headers.empty()) {
    e << Key << "httpHeaders" << Value << BeginSeq;
    for (const auto& hd : h.http_headers) e << BeginMap << Key << "name" << Value << hd.name << Key << "value" << Value << hd.value << EndMap;
    e << EndSeq;
  }
  e << EndMap;
}

void Exec(YAML::Emitter& e, const ExecAction& x) {
  e << Key << "exec" << Value << BeginMap;
  Strings(e, "command", x.command);
  e << EndMap;
}

void Tcp(YAML::Emitter& e, const TcpSocketAction& t) {
  e << Key << "tcpSocket" << Value << BeginMap;
  if (!t.host.empty()) e << Key << "host" << Value << t.host;
  Port(e, "port", t.port);
  e << EndMap;
}

void ProbeOut(YAML::Emitter& e, const char* key, const std::optional<Probe>& p) {
  if (!p) return;
  e << Key << key << Value << BeginMap;
  if (p->handler.exec) Exec(e, *p->handler.exec);
  if (p->handler.http_get) HttpGet(e, *p->handler.http_get);
  if (p->handler.tcp_socket) Tcp(e, *p->handler.tcp_socket);
  if (p->handler.grpc) {
    e << Key << "grpc" << Value << BeginMap << Key << "port" << Value << p->handler.grpc->port;
    if (p->handler.grpc->service) e << Key << "service" << Value << *p->handler.grpc->service;
    e << EndMap;
  }
  e << Key << "initialDelaySeconds" << Value << p->initial_delay_seconds;
  e << Key << "timeoutSeconds" << Value << p->timeout_seconds;
  e << Key << "periodSeconds" << Value << p->period_seconds;
  e << Key << "successThreshold" << Value << p->success_threshold;
  e << Key << "failureThreshold" << Value << p->failure_threshold;
  if (p->termination_grace_period_seconds) e << Key << "terminationGracePeriodSeconds" << Value << *p->termination_grace_period_seconds;
  e << EndMap;
}

void Handler(YAML::Emitter& e, const char* key, const std::optional<LifecycleHandler>& h) {
  if (!h) return;
  e << Key << key << Value << BeginMap;
  if (h->exec) Exec(e, *h->exec);
  if (h->http_get) HttpGet(e, *h->http_get);
  if (h->tcp_socket) Tcp(e, *h->tcp_socket);
  if (h->sleep) e << Key << "sleep" << Value << BeginMap << Key << "seconds" << Value << h->sleep->seconds << EndMap;
  e << EndMap;
}

void Seccomp(YAML::Emitter& e, const std::optional<SeccompProfile>& s) {
  if (!s) return;
  e << Key << "seccompProfile" << Value << BeginMap << Key << "type" << Value << s->type;
  if (!s->localhost_profile.empty()) e << Key << "localhostProfile" << Value << s->localhost_profile;
  e << EndMap;
}

void ContainerOut(YAML::Emitter& e, const Container& c) {
  e << BeginMap;
  e << Key << "name" << Value << c.name;
  e << Key << "image" << Value << c.image;
  e << Key << "imagePullPolicy" << Value << c.image_pull_policy;
  Strings(e, "command", c.command);
  Strings(e, "args", c.args);
  if (!c.working_dir.empty()) e << Key << "workingDir" << Value << c.working_dir;
  if (!c.ports.empty()) {
    e << Key << "ports" << Value << BeginSeq;
    for (const auto& p : c.ports) {
      e << BeginMap;
      if (!p.name.empty()) e << Key << "name" << Value << p.name;
      e << Key << "containerPort" << Value << p.container_port;
      if (p.host_port) e << Key << "hostPort" << Value << p.host_port;
      if (!p.host_ip.empty()) e << Key << "hostIP" << Value << p.host_ip;
      e << Key << "protocol" << Value << p.protocol;
      e << EndMap;
    }
    e << EndSeq;
  }
  if (!c.env.empty()) {
    e << Key << "env" << Value << BeginSeq;
    for (const auto& v : c.env) {
      e << BeginMap << Key << "name" << Value << v.name;
      if (v.value) e << Key << "value" << Value << *v.value;
      if (v.field_ref) {
        e << Key << "valueFrom" << Value << BeginMap << Key << "fieldRef" << Value << BeginMap << Key << "apiVersion"
          << Value << v.field_ref->api_version << Key << "fieldPath" << Value << v.field_ref->field_path << EndMap << EndMap;
      }
      if (v.resource_field_ref) {
        e << Key << "valueFrom" << Value << BeginMap << Key << "resourceFieldRef" << Value << BeginMap;
        if (!v.resource_field_ref->container_name.empty()) e << Key << "containerName" << Value << v.resource_field_ref->container_name;
        e << Key << "resource" << Value << v.resource_field_ref->resource;
        if (v.resource_field_ref->divisor) e << Key << "divisor" << Value << v.resource_field_ref->divisor->text;
        e << EndMap << EndMap;
      }
      e << EndMap;
    }
    e << EndSeq;
  }
  if (!c.resources.requests.empty() || !c.resources.limits.empty()) {
    e << Key << "resources" << Value << BeginMap;
    for (const auto* t : {&c.resources.limits, &c.resources.requests}) {
      if (t->empty()) continue;
      e << Key << (t == &c.resources.limits ? "limits" : "requests") << Value << BeginMap;
      for (const auto& [k, q] : *t) e << Key << k << Value << q.text;
      e << EndMap;
    }
    e << EndMap;
  }
  if (!c.volume_mounts.empty()) {
    e << Key << "volumeMounts" << Value << BeginSeq;
    for (const auto& m : c.volume_mounts) {
      e << BeginMap << Key << "name" << Value << m.name << Key << "mountPath" << Value << m.mount_path;
      if (!m.sub_path.empty()) e << Key << "subPath" << Value << m.sub_path;
      if (m.read_only) e << Key << "readOnly" << Value << true;
      if (!m.mount_propagation.empty()) e << Key << "mountPropagation" << Value << m.mount_propagation;
      e << EndMap;
    }
    e << EndSeq;
  }
  ProbeOut(e, "livenessProbe", c.liveness_probe);
  ProbeOut(e, "readinessProbe", c.readiness_probe);
  ProbeOut(e, "startupProbe", c.startup_probe);
  if (c.lifecycle) {
    e << Key << "lifecycle" << Value << BeginMap;
    Handler(e, "postStart", c.lifecycle->post_start);
    Handler(e, "preStop", c.lifecycle->pre_stop);
    e << EndMap;
  }
  if (c.security_context) {
    const auto& s = *c.security_context;
    e << Key << "securityContext" << Value << BeginMap;
    if (s.privileged) e << Key << "privileged" << Value << *s.privileged;
    if (s.capabilities) {
      e << Key << "capabilities" << Value << BeginMap;
      Strings(e, "add", s.capabilities->add);
      Strings(e, "drop", s.capabilities->drop);
      e << EndMap;
    }
    if (s.read_only_root_filesystem) e << Key << "readOnlyRootFilesystem" << Value << *s.read_only_root_filesystem;
    if (s.allow_privilege_escalation) e << Key << "allowPrivilegeEscalation" << Value << *s.allow_privilege_escalation;
    if (s.run_as_non_root) e << Key << "runAsNonRoot" << Value << *s.run_as_non_root;
    if (s.run_as_user) e << Key << "runAsUser" << Value << *s.run_as_user;
    if (s.run_as_group) e << Key << "runAsGroup" << Value << *s.run_as_group;
    if (s.proc_mount) e << Key << "procMount" << Value << *s.proc_mount;
    Seccomp(e, s.seccomp_profile);
    e << EndMap;
  }
  if (c.stdin) e << Key << "stdin" << Value << true;
  if (c.stdin_once) e << Key << "stdinOnce" << Value << true;
  if (c.tty) e << Key << "tty" << Value << true;
  e << Key << "terminationMessagePath" << Value << c.termination_message_path;
  e << Key << "terminationMessagePolicy" << Value << c.termination_message_policy;
  if (c.restart_policy) e << Key << "restartPolicy" << Value << *c.restart_policy;
  e << EndMap;
}

}  // namespace

std::string PodToYaml(const Pod& pod) {
  YAML::Emitter e;
  e << BeginMap;
  e << Key << "apiVersion" << Value << pod.api_version;
  e << Key << "kind" << Value << pod.kind;
  e << Key << "metadata" << Value << BeginMap;
  e << Key << "name" << Value << pod.metadata.name;
  e << Key << "namespace" << Value << pod.metadata.namespace_;
  if (!pod.metadata.uid.empty()) e << Key << "uid" << Value << pod.metadata.uid;
  StringMap(e, "labels", pod.metadata.labels);
  StringMap(e, "annotations", pod.metadata.annotations);
  e << EndMap;
  const PodSpec& s = pod.spec;
  e << Key << "spec" << Value << BeginMap;
  if (!s.init_containers.empty()) {
    e << Key << "initContainers" << Value << BeginSeq;
    for (const auto& c : s.init_containers) ContainerOut(e, c);
    e << EndSeq;
  }
  e << Key << "containers" << Value << BeginSeq;
  for (const auto& c : s.containers) ContainerOut(e, c);
  e << EndSeq;
  if (!s.volumes.empty()) {
    e << Key << "volumes" << Value << BeginSeq;
    for (const auto& v : s.volumes) {
      e << BeginMap << Key << "name" << Value << v.name;
      if (v.empty_dir) {
        e << Key << "emptyDir" << Value << BeginMap;
        if (!v.empty_dir->medium.empty()) e << Key << "medium" << Value << v.empty_dir->medium;
        if (v.empty_dir->size_limit) e << Key << "sizeLimit" << Value << v.empty_dir->size_limit->text;
        e << EndMap;
      }
      if (v.host_path) {
        e << Key << "hostPath" << Value << BeginMap << Key << "path" << Value << v.host_path->path;
        if (!v.host_path->type.empty()) e << Key << "type" << Value << v.host_path->type;
        e << EndMap;
      }
      e << EndMap;
    }
    e << EndSeq;
  }
  e << Key << "restartPolicy" << Value << s.restart_policy;
  if (s.termination_grace_period_seconds) e << Key << "terminationGracePeriodSeconds" << Value << *s.termination_grace_period_seconds;
  if (s.active_deadline_seconds) e << Key << "activeDeadlineSeconds" << Value << *s.active_deadline_seconds;
  e << Key << "dnsPolicy" << Value << s.dns_policy;
  if (s.dns_config) {
    e << Key << "dnsConfig" << Value << BeginMap;
    Strings(e, "nameservers", s.dns_config->nameservers);
    Strings(e, "searches", s.dns_config->searches);
    if (!s.dns_config->options.empty()) {
      e << Key << "options" << Value << BeginSeq;
      for (const auto& o : s.dns_config->options) {
        e << BeginMap << Key << "name" << Value << o.name;
        if (o.value) e << Key << "value" << Value << *o.value;
        e << EndMap;
      }
      e << EndSeq;
    }
    e << EndMap;
  }
  if (!s.host_aliases.empty()) {
    e << Key << "hostAliases" << Value << BeginSeq;
    for (const auto& a : s.host_aliases) {
      e << BeginMap << Key << "ip" << Value << a.ip;
      Strings(e, "hostnames", a.hostnames);
      e << EndMap;
    }
    e << EndSeq;
  }
  if (s.host_network) e << Key << "hostNetwork" << Value << true;
  if (s.host_pid) e << Key << "hostPID" << Value << true;
  if (s.host_ipc) e << Key << "hostIPC" << Value << true;
  if (s.share_process_namespace) e << Key << "shareProcessNamespace" << Value << *s.share_process_namespace;
  if (!s.hostname.empty()) e << Key << "hostname" << Value << s.hostname;
  if (!s.subdomain.empty()) e << Key << "subdomain" << Value << s.subdomain;
  if (!s.node_name.empty()) e << Key << "nodeName" << Value << s.node_name;
  if (!s.service_account_name.empty()) e << Key << "serviceAccountName" << Value << s.service_account_name;
  if (s.priority) e << Key << "priority" << Value << *s.priority;
  if (!s.priority_class_name.empty()) e << Key << "priorityClassName" << Value << s.priority_class_name;
  if (s.security_context) {
    const auto& sc = *s.security_context;
    e << Key << "securityContext" << Value << BeginMap;
    if (sc.run_as_user) e << Key << "runAsUser" << Value << *sc.run_as_user;
    if (sc.run_as_group) e << Key << "runAsGroup" << Value << *sc.run_as_group;
    if (sc.run_as_non_root) e << Key << "runAsNonRoot" << Value << *sc.run_as_non_root;
    if (sc.fs_group) e << Key << "fsGroup" << Value << *sc.fs_group;
    if (!sc.supplemental_groups.empty()) {
      e << Key << "supplementalGroups" << Value << BeginSeq;
      for (auto g : sc.supplemental_groups) e << g;
      e << EndSeq;
    }
    if (!sc.sysctls.empty()) {
      e << Key << "sysctls" << Value << BeginSeq;
      for (const auto& x : sc.sysctls) e << BeginMap << Key << "name" << Value << x.name << Key << "value" << Value << x.value << EndMap;
      e << EndSeq;
    }
    Seccomp(e, sc.seccomp_profile);
    e << EndMap;
  }
  if (!s.tolerations.empty()) {
    e << Key << "tolerations" << Value << BeginSeq;
    for (const auto& t : s.tolerations) {
      e << BeginMap;
      if (!t.key.empty()) e << Key << "key" << Value << t.key;
      if (!t.operator_.empty()) e << Key << "operator" << Value << t.operator_;
      if (!t.value.empty()) e << Key << "value" << Value << t.value;
      if (!t.effect.empty()) e << Key << "effect" << Value << t.effect;
      if (t.toleration_seconds) e << Key << "tolerationSeconds" << Value << *t.toleration_seconds;
      e << EndMap;
    }
    e << EndSeq;
  }
  e << EndMap;
  e << EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace crilet::manifests
