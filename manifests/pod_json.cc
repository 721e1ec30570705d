// Pod model -> v1 JSON.
#include "manifests/pod_json.h"

namespace crilet::manifests {
namespace {

using nlohmann::json;

json Port(const IntOrString& p) { return p.is_int ? json(p.int_value) : json(p.str_value); }

json HttpGet(const HttpGetAction& h) {
  json j = {{"path", h.path}, {"port", Port(h.port)}, {"scheme", h.scheme}};
  if (!h.host.empty()) j["host"] = h.host;
  if (!h.http_headers.empty()) {
    json hs = json::array();
    for (const auto& x : h.http_headers) hs.push_back({{"name", x.name}, {"value", x.value}});
    j["httpHeaders"] = hs;
  }
  return j;
}

json Tcp(const TcpSocketAction& t) {
  json j = {{"port", Port(t.port)}};
  if (!t.host.empty()) j["host"] = t.host;
  return j;
}

json ProbeJson(const Probe& p) {
  json j = {{"initialDelaySeconds", p.initial_delay_seconds}, {"timeoutSeconds", p.timeout_seconds},
            {"periodSeconds", p.period_seconds},             {"successThreshold", p.success_threshold},
            {"failureThreshold", p.failure_threshold}};
  if (p.handler.exec) j["exec"] = {{"command", p.handler.exec->command}};
  if (p.handler.http_get) j["httpGet"] = HttpGet(*p.handler.http_get);
  if (p.handler.tcp_socket) j["tcpSocket"] = Tcp(*p.handler.tcp_socket);
  if (p.handler.grpc) {
    j["grpc"] = {{"port", p.handler.grpc->port}};
    if (p.handler.grpc->service) j["grpc"]["service"] = *p.handler.grpc->service;
  }
  if (p.termination_grace_period_seconds) j["terminationGracePeriodSeconds"] = *p.termination_grace_period_seconds;
  return j;
}

json HandlerJson(const LifecycleHandler& h) {
  json j = json::object();
  if (h.exec) j["exec"] = {{"command", h.exec->command}};
  if (h.http_get) j["httpGet"] = HttpGet(*h.http_get);
  if (h.tcp_socket) j["tcpSocket"] = Tcp(*h.tcp_socket);
  if (h.sleep) j["sleep"] = {{"seconds", h.sleep->seconds}};
  return j;
}

json Seccomp(const SeccompProfile& s) {
  json j = {{"type", s.type}};
  if (!s.localhost_profile.empty()) j["localhostProfile"] = s.localhost_profile;
  return j;
}

json ContainerJson(const Container& c) {
  json j = {{"name", c.name},
            {"image", c.image},
            {"imagePullPolicy", c.image_pull_policy},
            {"terminationMessagePath", c.termination_message_path},
            {"terminationMessagePolicy", c.termination_message_policy}};
  if (!c.command.empty()) j["command"] = c.command;
  if (!c.args.empty()) j["args"] = c.args;
  if (!c.working_dir.empty()) j["workingDir"] = c.working_dir;
  if (!c.ports.empty()) {
    json ports = json::array();
    for (const auto& p : c.ports) {
      json pj = {{"containerPort", p.container_port}, {"protocol", p.protocol}};
      if (!p.name.empty()) pj["name"] = p.name;
      if (p.host_port) pj["hostPort"] = p.host_port;
      if (!p.host_ip.empty()) pj["hostIP"] = p.host_ip;
      ports.push_back(pj);
    }
    j["ports"] = ports;
  }
  if (!c.env.empty()) {
    json env = json::array();
    for (const auto& e : c.env) {
      json ej = {{"name", e.name}};
      if (e.value) ej["value"] = *e.value;
      if (e.field_ref) {
        ej["valueFrom"] = {{"fieldRef", {{"apiVersion", e.field_ref->api_version}, {"fieldPath", e.field_ref->field_path}}}};
      }
      if (e.resource_field_ref) {
        json r = {{"resource", e.resource_field_ref->resource}};
        if (!e.resource_field_ref->container_name.empty()) r["containerName"] = e.resource_field_ref->container_name;
        if (e.resource_field_ref->divisor) r["divisor"] = e.resource_field_ref->divisor->text;
        ej["valueFrom"] = {{"resourceFieldRef", r}};
      }
      env.push_back(ej);
    }
    j["env"] = env;
  }
  json res = json::object();
  for (const auto* table : {&c.resources.requests, &c.resources.limits}) {
    if (table->empty()) continue;
    json t = json::object();
    for (const auto& [k, q] : *table) t[k] = q.text;
    res[table == &c.resources.requests ? "requests" : "limits"] = t;
  }
  j["resources"] = res;
  if (!c.volume_mounts.empty()) {
    json mounts = json::array();
    for (const auto& m : c.volume_mounts) {
      json mj = {{"name", m.name}, {"mountPath", m.mount_path}};
      if (!m.sub_path.empty()) mj["subPath"] = m.sub_path;
      if (m.read_only) mj["readOnly"] = true;
      if (!m.mount_propagation.empty()) mj["mountPropagation"] = m.mount_propagation;
      mounts.push_back(mj);
    }
    j["volumeMounts"] = mounts;
  }
  if (c.liveness_probe) j["livenessProbe"] = ProbeJson(*c.liveness_probe);
  if (c.readiness_probe) j["readinessProbe"] = ProbeJson(*c.readiness_probe);
  if (c.startup_probe) j["startupProbe"] = ProbeJson(*c.startup_probe);
  if (c.lifecycle) {
    json l = json::object();
    if (c.lifecycle->post_start) l["postStart"] = HandlerJson(*c.lifecycle->post_start);
    if (c.lifecycle->pre_stop) l["preStop"] = HandlerJson(*c.lifecycle->pre_stop);
    j["lifecycle"] = l;
  }
  if (c.security_context) {
    const auto& s = *c.security_context;
    json sc = json::object();
    if (s.privileged) sc["privileged"] = *s.privileged;
    if (s.capabilities) {
      json caps = json::object();
      if (!s.capabilities->add.empty()) caps["add"] = s.capabilities->add;
      if (!s.capabilities->drop.empty()) caps["drop"] = s.capabilities->drop;
      sc["capabilities"] = caps;
    }
    if (s.read_only_root_filesystem) sc["readOnlyRootFilesystem"] = *s.read_only_root_filesystem;
    if (s.allow_privilege_escalation) sc["allowPrivilegeEscalation"] = *s.allow_privilege_escalation;
    if (s.run_as_non_root) sc["runAsNonRoot"] = *s.run_as_non_root;
    if (s.run_as_user) sc["runAsUser"] = *s.run_as_user;
    if (s.run_as_group) sc["runAsGroup"] = *s.run_as_group;
    if (s.proc_mount) sc["procMount"] = *s.proc_mount;
    if (s.seccomp_profile) sc["seccompProfile"] = Seccomp(*s.seccomp_profile);
    j["securityContext"] = sc;
  }
  if (c.stdin) j["stdin"] = true;
  if (c.stdin_once) j["stdinOnce"] = true;
  if (c.tty) j["tty"] = true;
  if (c.restart_policy) j["restartPolicy"] = *c.restart_policy;
  return j;
}

// A configMap, secret, downwardAPI or projected volume in the v1 shape: names, paths and modes only, since
// their data lives in the objects, never in the pod.
json KeyItemsJson(const std::vector<KeyToPath>& in) {
  json a = json::array();
  for (const auto& k : in) {
    json kj = {{"key", k.key}, {"path", k.path}};
    if (k.mode) kj["mode"] = *k.mode;
    a.push_back(kj);
  }
  return a;
}

json DownwardItemsJson(const DownwardApiProjection& d) {
  json a = json::array();
  for (const auto& f : d.items) {
    json fj = {{"path", f.path}};
    if (!f.field_path.empty()) fj["fieldRef"] = {{"apiVersion", "v1"}, {"fieldPath", f.field_path}};
    if (!f.resource.empty()) {
      fj["resourceFieldRef"] = {{"containerName", f.container_name}, {"resource", f.resource}};
      if (f.divisor) fj["resourceFieldRef"]["divisor"] = f.divisor->text;
    }
    if (f.mode) fj["mode"] = *f.mode;
    a.push_back(fj);
  }
  return a;
}

template <typename T>
json KeySourceJson(const T& p, const char* name_key) {
  json j = {{name_key, p.name}};
  if (!p.items.empty()) j["items"] = KeyItemsJson(p.items);
  if (p.optional) j["optional"] = *p.optional;
  return j;
}

json ObjectVolumeJson(const ObjectVolumeSource& o) {
  json j = json::object();
  if (o.kind == ObjectVolumeSource::Kind::kProjected) {
    json sources = json::array();
    for (const auto& src : o.sources) {
      json sj = json::object();
      if (src.config_map) sj["configMap"] = KeySourceJson(*src.config_map, "name");
      if (src.secret) sj["secret"] = KeySourceJson(*src.secret, "name");
      if (src.downward_api) sj["downwardAPI"] = {{"items", DownwardItemsJson(*src.downward_api)}};
      sources.push_back(sj);
    }
    j["sources"] = sources;
  } else if (!o.sources.empty()) {
    const auto& src = o.sources.front();
    if (src.config_map) j = KeySourceJson(*src.config_map, "name");
    if (src.secret) j = KeySourceJson(*src.secret, "secretName");
    if (src.downward_api) j["items"] = DownwardItemsJson(*src.downward_api);
  }
  if (o.default_mode) j["defaultMode"] = *o.default_mode;  // 0644 when defaulted (manifests/defaults.cc)
  return j;
}

}  // namespace

json PodToJson(const Pod& pod) {
  json meta = {{"name", pod.metadata.name}, {"namespace", pod.metadata.namespace_}};
  if (!pod.metadata.uid.empty()) meta["uid"] = pod.metadata.uid;
  if (!pod.metadata.labels.empty()) meta["labels"] = pod.metadata.labels;
  if (!pod.metadata.annotations.empty()) meta["annotations"] = pod.metadata.annotations;
  const PodSpec& s = pod.spec;
  json spec = {{"restartPolicy", s.restart_policy}, {"dnsPolicy", s.dns_policy}};
  json containers = json::array();
  for (const auto& c : s.containers) containers.push_back(ContainerJson(c));
  spec["containers"] = containers;
  if (!s.init_containers.empty()) {
    json inits = json::array();
    for (const auto& c : s.init_containers) inits.push_back(ContainerJson(c));
    spec["initContainers"] = inits;
  }
  if (!s.volumes.empty()) {
    json vols = json::array();
    for (const auto& v : s.volumes) {
      json vj = {{"name", v.name}};
      if (v.empty_dir) {
        json e = json::object();
        if (!v.empty_dir->medium.empty()) e["medium"] = v.empty_dir->medium;
        if (v.empty_dir->size_limit) e["sizeLimit"] = v.empty_dir->size_limit->text;
        vj["emptyDir"] = e;
      }
      if (v.object) vj[ObjectVolumeKindName(v.object->kind)] = ObjectVolumeJson(*v.object);
      if (v.host_path) {
        vj["hostPath"] = {{"path", v.host_path->path}};
        if (!v.host_path->type.empty()) vj["hostPath"]["type"] = v.host_path->type;
      }
      if (v.persistent_volume_claim) {
        vj["persistentVolumeClaim"] = {{"claimName", v.persistent_volume_claim->claim_name}};
        if (v.persistent_volume_claim->read_only) vj["persistentVolumeClaim"]["readOnly"] = true;
      }
      vols.push_back(vj);
    }
    spec["volumes"] = vols;
  }
  if (s.termination_grace_period_seconds) spec["terminationGracePeriodSeconds"] = *s.termination_grace_period_seconds;
  if (s.active_deadline_seconds) spec["activeDeadlineSeconds"] = *s.active_deadline_seconds;
  if (s.dns_config) {
    json d = json::object();
    if (!s.dns_config->nameservers.empty()) d["nameservers"] = s.dns_config->nameservers;
    if (!s.dns_config->searches.empty()) d["searches"] = s.dns_config->searches;
    if (!s.dns_config->options.empty()) {
      json opts = json::array();
      for (const auto& o : s.dns_config->options) {
        json oj = {{"name", o.name}};
        if (o.value) oj["value"] = *o.value;
        opts.push_back(oj);
      }
      d["options"] = opts;
    }
    spec["dnsConfig"] = d;
  }
  if (!s.host_aliases.empty()) {
    json aliases = json::array();
    for (const auto& a : s.host_aliases) aliases.push_back({{"ip", a.ip}, {"hostnames", a.hostnames}});
    spec["hostAliases"] = aliases;
  }
  if (s.host_network) spec["hostNetwork"] = true;
  if (s.host_pid) spec["hostPID"] = true;
  if (s.host_ipc) spec["hostIPC"] = true;
  if (s.share_process_namespace) spec["shareProcessNamespace"] = *s.share_process_namespace;
  if (!s.hostname.empty()) spec["hostname"] = s.hostname;
  if (!s.subdomain.empty()) spec["subdomain"] = s.subdomain;
  if (!s.node_name.empty()) spec["nodeName"] = s.node_name;
  if (!s.service_account_name.empty()) spec["serviceAccountName"] = s.service_account_name;
  if (!s.image_pull_secrets.empty()) {
    json refs = json::array();
    for (const auto& name : s.image_pull_secrets) refs.push_back({{"name", name}});
    spec["imagePullSecrets"] = refs;
  }
  if (s.priority) spec["priority"] = *s.priority;
  if (!s.priority_class_name.empty()) spec["priorityClassName"] = s.priority_class_name;
  if (s.security_context) {
    const auto& sc = *s.security_context;
    json p = json::object();
    if (sc.run_as_user) p["runAsUser"] = *sc.run_as_user;
    if (sc.run_as_group) p["runAsGroup"] = *sc.run_as_group;
    if (sc.run_as_non_root) p["runAsNonRoot"] = *sc.run_as_non_root;
    if (sc.fs_group) p["fsGroup"] = *sc.fs_group;
    if (!sc.fs_group_change_policy.empty()) p["fsGroupChangePolicy"] = sc.fs_group_change_policy;
    if (!sc.supplemental_groups.empty()) p["supplementalGroups"] = sc.supplemental_groups;
    if (!sc.sysctls.empty()) {
      json sys = json::array();
      for (const auto& x : sc.sysctls) sys.push_back({{"name", x.name}, {"value", x.value}});
      p["sysctls"] = sys;
    }
    if (sc.seccomp_profile) p["seccompProfile"] = Seccomp(*sc.seccomp_profile);
    spec["securityContext"] = p;
  }
  if (!s.tolerations.empty()) {
    json tols = json::array();
    for (const auto& t : s.tolerations) {
      json tj = json::object();
      if (!t.key.empty()) tj["key"] = t.key;
      if (!t.operator_.empty()) tj["operator"] = t.operator_;
      if (!t.value.empty()) tj["value"] = t.value;
      if (!t.effect.empty()) tj["effect"] = t.effect;
      if (t.toleration_seconds) tj["tolerationSeconds"] = *t.toleration_seconds;
      tols.push_back(tj);
    }
    spec["tolerations"] = tols;
  }
  // Only when given, so the UID of a pod without them stays what it was.
  if (!s.node_selector.empty()) spec["nodeSelector"] = s.node_selector;
  if (s.affinity) {
    json a = json::object();
    if (s.affinity->node_affinity) {
      json na = json::object();
      if (s.affinity->node_affinity->required_terms) {
        auto reqs = [](const std::vector<NodeSelectorRequirement>& list) {
          json out = json::array();
          for (const auto& r : list) {
            json rj = {{"key", r.key}, {"operator", r.operator_}};
            if (!r.values.empty()) rj["values"] = r.values;
            out.push_back(rj);
          }
          return out;
        };
        json terms = json::array();
        for (const auto& t : *s.affinity->node_affinity->required_terms) {
          json tj = json::object();
          if (!t.match_expressions.empty()) tj["matchExpressions"] = reqs(t.match_expressions);
          if (!t.match_fields.empty()) tj["matchFields"] = reqs(t.match_fields);
          terms.push_back(tj);
        }
        na["requiredDuringSchedulingIgnoredDuringExecution"] = {{"nodeSelectorTerms", terms}};
      }
      a["nodeAffinity"] = na;
    }
    spec["affinity"] = a;
  }
  return {{"apiVersion", pod.api_version.empty() ? "v1" : pod.api_version},
          {"kind", pod.kind.empty() ? "Pod" : pod.kind},
          {"metadata", meta},
          {"spec", spec}};
}

}  // namespace crilet::manifests
