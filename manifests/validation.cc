// Validation of a defaulted Pod, with the messages a person can act on.
#include "manifests/validation.h"

#include "manifests/local_objects.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <set>

namespace crilet::manifests {
namespace {

bool LowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool Alnum(char c) { return LowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

bool IsIp(const std::string& s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], the shape of label values and of qualified names' name part.
bool LabelShape(const std::string& s) {
  if (s.empty()) return true;
  if (!Alnum(s.front()) || !Alnum(s.back())) return false;
  for (char c : s) {
    if (!Alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// A label or annotation key: [prefix/]name (k8s.io/apimachinery IsQualifiedName); "" when valid.
std::string CheckQualifiedName(const std::string& key) {
  std::string name = key;
  size_t slash = key.find('/');
  if (slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return "prefix part must not be empty";
    if (auto why = CheckDnsSubdomain(prefix); !why.empty()) return "prefix part " + why;
  }
  if (name.empty()) return "name part must not be empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  if (!LabelShape(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc')";
  }
  return "";
}

class Checker {
 public:
  Checker(const std::map<std::string, int>& lines, std::string file) : lines_(lines), file_(std::move(file)) {}

  void Add(const std::string& path, const std::string& message) {
    errors_.push_back(FieldError{file_, LineOf(path), path, message});
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  // The line of the path, or of its nearest parent the parser saw.
  int LineOf(std::string path) const {
    while (!path.empty()) {
      auto it = lines_.find(path);
      if (it != lines_.end()) return it->second;
      size_t cut = path.find_last_of(".[");
      if (cut == std::string::npos) break;
      path.resize(cut);
    }
    auto doc = lines_.find("");  // the document's first line, for fields that are missing altogether
    return doc == lines_.end() ? 0 : doc->second;
  }

  const std::map<std::string, int>& lines_;
  std::string file_;
  std::vector<FieldError> errors_;
};

template <typename... T>
bool OneOf(const std::string& v, T... options) {
  return ((v == options) || ...);
}

void CheckPort(Checker& ck, const IntOrString& port, const Container& c, const std::string& path) {
  if (port.is_int) {
    if (port.int_value < 1 || port.int_value > 65535) ck.Add(path, "must be a number 1-65535 or a named container port");
    return;
  }
  for (const auto& p : c.ports) {
    if (p.name == port.str_value) return;
  }
  if (port.str_value.find_first_not_of("0123456789") == std::string::npos) {
    // A quoted "8080" is a port name in the API (IntOrString), and a name needs a letter.
    ck.Add(path, "must be a number 1-65535 or a named container port (\"" + port.str_value +
                     "\" is quoted, so it is read as a port name: remove the quotes)");
    return;
  }
  ck.Add(path, "must be a number 1-65535 or a named container port (container " + c.name + " has no port named \"" +
                   port.str_value + "\")");
}

void CheckHttpGet(Checker& ck, const HttpGetAction& h, const Container& c, const std::string& path) {
  CheckPort(ck, h.port, c, path + ".port");
  if (!OneOf(h.scheme, "HTTP", "HTTPS")) ck.Add(path + ".scheme", "must be HTTP or HTTPS");
  for (size_t i = 0; i < h.http_headers.size(); ++i) {
    if (h.http_headers[i].name.empty()) ck.Add(path + ".httpHeaders[" + std::to_string(i) + "].name", "must not be empty");
  }
}

void CheckProbe(Checker& ck, const Probe& p, const Container& c, const std::string& path, bool needs_single_success) {
  std::vector<std::string> handlers;
  if (p.handler.exec) handlers.push_back("exec");
  if (p.handler.http_get) handlers.push_back("httpGet");
  if (p.handler.tcp_socket) handlers.push_back("tcpSocket");
  if (p.handler.grpc) handlers.push_back("grpc");
  if (handlers.empty()) {
    ck.Add(path, "must specify a handler: exec, httpGet, tcpSocket or grpc");
  } else if (handlers.size() > 1) {
    ck.Add(path, "may not specify more than 1 handler type (found " + handlers[0] + " and " + handlers[1] + ")");
  }
  if (p.handler.exec && p.handler.exec->command.empty()) ck.Add(path + ".exec.command", "must not be empty");
  if (p.handler.http_get) CheckHttpGet(ck, *p.handler.http_get, c, path + ".httpGet");
  if (p.handler.tcp_socket) CheckPort(ck, p.handler.tcp_socket->port, c, path + ".tcpSocket.port");
  if (p.handler.grpc && (p.handler.grpc->port < 1 || p.handler.grpc->port > 65535)) {
    ck.Add(path + ".grpc.port", "must be a number 1-65535");
  }
  if (needs_single_success && p.success_threshold != 1) ck.Add(path + ".successThreshold", "must be 1");
}

void CheckHandler(Checker& ck, const LifecycleHandler& h, const Container& c, const std::string& path) {
  int count = h.exec.has_value() + h.http_get.has_value() + h.tcp_socket.has_value() + h.sleep.has_value();
  if (count == 0) ck.Add(path, "must specify a handler: exec, httpGet or sleep");
  if (count > 1) ck.Add(path, "may not specify more than 1 handler type");
  if (h.exec && h.exec->command.empty()) ck.Add(path + ".exec.command", "must not be empty");
  if (h.http_get) CheckHttpGet(ck, *h.http_get, c, path + ".httpGet");
  if (h.sleep && h.sleep->seconds < 0) ck.Add(path + ".sleep.seconds", "must be non-negative");
}

void CheckResources(Checker& ck, const ResourceRequirements& r, const std::string& path) {
  auto known = [](const std::string& name) {
    return OneOf(name, "cpu", "memory", "ephemeral-storage") || name.rfind("hugepages-", 0) == 0 ||
           name.find('/') != std::string::npos;
  };
  for (const auto* table : {&r.requests, &r.limits}) {
    std::string kind = table == &r.requests ? ".requests." : ".limits.";
    for (const auto& [name, q] : *table) {
      if (!known(name)) ck.Add(path + kind + name, "unknown resource (use cpu, memory, ephemeral-storage or hugepages-<size>)");
      if (q.milli < 0) ck.Add(path + kind + name, "must be non-negative");
      if (name == "memory" && q.milli % 1000 != 0) ck.Add(path + kind + name, "must be a whole number of bytes");
    }
  }
  for (const auto& [name, req] : r.requests) {
    auto lim = r.limits.find(name);
    if (lim != r.limits.end() && req.milli > lim->second.milli) {
      ck.Add(path + ".requests." + name, "must be less than or equal to the " + name + " limit (" + lim->second.text + ")");
    }
  }
}

void CheckEnvName(Checker& ck, const std::string& name, const std::string& path) {
  if (name.empty()) {
    ck.Add(path, "must not be empty");
    return;
  }
  for (unsigned char c : name) {
    if (c < 32 || c > 126 || c == '=') {
      ck.Add(path, "must consist of printable ASCII characters other than '='");
      return;
    }
  }
}

bool SupportedFieldPath(const std::string& p) {
  if (OneOf(p, "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
            "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")) {
    return true;
  }
  for (const char* prefix : {"metadata.labels['", "metadata.annotations['"}) {
    std::string pre(prefix);
    if (p.rfind(pre, 0) == 0 && p.size() > pre.size() + 2 && p.substr(p.size() - 2) == "']") return true;
  }
  return false;
}

// A ".." path element (validateLocalDescendingPath).
bool HasDotDot(const std::string& p) {
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

void CheckSeccomp(Checker& ck, const SeccompProfile& p, const std::string& path) {
  if (!OneOf(p.type, "RuntimeDefault", "Unconfined", "Localhost")) {
    ck.Add(path + ".type", "must be RuntimeDefault, Unconfined or Localhost");
  } else if (p.type == "Localhost" && p.localhost_profile.empty()) {
    ck.Add(path + ".localhostProfile", "required when type is Localhost");
  } else if (p.type == "Localhost" && p.localhost_profile.front() == '/') {
    // validateLocalDescendingPath: the profile is a path under kubelet's <root-dir>/seccomp.
    ck.Add(path + ".localhostProfile", "must be a relative path (under <root-dir>/seccomp)");
  } else if (p.type == "Localhost" && HasDotDot(p.localhost_profile)) {
    ck.Add(path + ".localhostProfile", "must not contain '..'");
  } else if (p.type != "Localhost" && !p.localhost_profile.empty()) {
    ck.Add(path + ".localhostProfile", "may only be set when type is Localhost");
  }
}

bool IsInteger(const std::string& v) {
  size_t start = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  if (v.size() == start || v.size() - start > 18) return false;
  for (size_t i = start; i < v.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

// A label key and value (ValidateLabels), for spec.nodeSelector.
void CheckLabel(Checker& ck, const std::string& k, const std::string& v, const std::string& path) {
  if (auto why = CheckQualifiedName(k); !why.empty()) ck.Add(path, "invalid label key: " + why);
  if (v.size() > 63) ck.Add(path, "must be no more than 63 characters");
  else if (!LabelShape(v)) {
    ck.Add(path,
           "a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')");
  }
}

// The API's ValidateNodeSelectorRequirement: values required for In/NotIn, forbidden for Exists/DoesNotExist,
// exactly one (an integer) for Gt/Lt.
void CheckNodeSelectorRequirement(Checker& ck, const NodeSelectorRequirement& r, const std::string& path) {
  if (r.key.empty()) ck.Add(path + ".key", "required");
  else if (auto why = CheckQualifiedName(r.key); !why.empty()) ck.Add(path + ".key", "invalid label key: " + why);
  if (OneOf(r.operator_, "In", "NotIn")) {
    if (r.values.empty()) ck.Add(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
  } else if (OneOf(r.operator_, "Exists", "DoesNotExist")) {
    if (!r.values.empty()) ck.Add(path + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  } else if (OneOf(r.operator_, "Gt", "Lt")) {
    if (r.values.size() != 1) ck.Add(path + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'");
    else if (!IsInteger(r.values[0])) ck.Add(path + ".values[0]", "must be an integer for `operator` 'Lt' or 'Gt'");
  } else if (r.operator_.empty()) {
    ck.Add(path + ".operator", "required (In, NotIn, Exists, DoesNotExist, Gt or Lt)");
  } else {
    ck.Add(path + ".operator", "unsupported \"" + r.operator_ + "\": must be In, NotIn, Exists, DoesNotExist, Gt or Lt");
  }
}

// ValidateNodeFieldSelectorRequirement: only metadata.name, with In or NotIn and one value.
void CheckNodeFieldRequirement(Checker& ck, const NodeSelectorRequirement& r, const std::string& path) {
  if (r.key != "metadata.name") ck.Add(path + ".key", "not a valid field selector key (supported: metadata.name)");
  if (!OneOf(r.operator_, "In", "NotIn")) {
    ck.Add(path + ".operator", r.operator_.empty() ? "required (In or NotIn)"
                                                   : "unsupported \"" + r.operator_ + "\": must be In or NotIn");
  } else if (r.values.size() != 1) {
    ck.Add(path + ".values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
  }
}

void CheckAffinity(Checker& ck, const PodSpec& s) {
  for (const auto& [k, v] : s.node_selector) CheckLabel(ck, k, v, "spec.nodeSelector." + k);
  if (!s.affinity || !s.affinity->node_affinity || !s.affinity->node_affinity->required_terms) return;
  const auto& terms = *s.affinity->node_affinity->required_terms;
  const std::string base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  if (terms.empty()) ck.Add(base, "must have at least one node selector term");
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string tp = base + "[" + std::to_string(i) + "]";
    for (size_t j = 0; j < terms[i].match_expressions.size(); ++j) {
      CheckNodeSelectorRequirement(ck, terms[i].match_expressions[j], tp + ".matchExpressions[" + std::to_string(j) + "]");
    }
    for (size_t j = 0; j < terms[i].match_fields.size(); ++j) {
      CheckNodeFieldRequirement(ck, terms[i].match_fields[j], tp + ".matchFields[" + std::to_string(j) + "]");
    }
  }
}

void CheckContainer(Checker& ck, const Pod& pod, const Container& c, const std::string& path, bool init,
                    const std::set<std::string>& volumes) {
  if (c.name.empty()) ck.Add(path + ".name", "required");
  else if (auto why = CheckDnsLabel(c.name); !why.empty()) ck.Add(path + ".name", why);
  if (c.image.empty()) ck.Add(path + ".image", "required");
  else if (c.image.find_first_of(" \t\r\n") != std::string::npos) ck.Add(path + ".image", "must not contain spaces");
  if (!OneOf(c.image_pull_policy, "Always", "IfNotPresent", "Never")) {
    ck.Add(path + ".imagePullPolicy", "must be Always, IfNotPresent or Never");
  }
  if (!OneOf(c.termination_message_policy, "File", "FallbackToLogsOnError")) {
    ck.Add(path + ".terminationMessagePolicy", "must be File or FallbackToLogsOnError");
  }
  if (c.restart_policy) {
    if (!init) ck.Add(path + ".restartPolicy", "may only be set on init containers (to make them sidecars)");
    else if (*c.restart_policy != "Always") ck.Add(path + ".restartPolicy", "must be Always (a sidecar) or unset");
  }
  bool sidecar = init && IsSidecar(c);
  if (init && !sidecar) {
    if (c.liveness_probe) ck.Add(path + ".livenessProbe", "may not be set on init containers (only on sidecars)");
    if (c.readiness_probe) ck.Add(path + ".readinessProbe", "may not be set on init containers (only on sidecars)");
    if (c.startup_probe) ck.Add(path + ".startupProbe", "may not be set on init containers (only on sidecars)");
    if (c.lifecycle) ck.Add(path + ".lifecycle", "may not be set on init containers (only on sidecars)");
  }
  std::set<std::string> port_names;
  for (size_t i = 0; i < c.ports.size(); ++i) {
    const auto& p = c.ports[i];
    std::string pp = path + ".ports[" + std::to_string(i) + "]";
    if (p.container_port < 1 || p.container_port > 65535) ck.Add(pp + ".containerPort", "must be a number 1-65535");
    if (p.host_port < 0 || p.host_port > 65535) ck.Add(pp + ".hostPort", "must be a number 0-65535");
    if (pod.spec.host_network && p.host_port != 0 && p.host_port != p.container_port) {
      ck.Add(pp + ".hostPort", "must match containerPort when hostNetwork is true");
    }
    if (!OneOf(p.protocol, "TCP", "UDP", "SCTP")) ck.Add(pp + ".protocol", "must be TCP, UDP or SCTP");
    if (!p.host_ip.empty() && !IsIp(p.host_ip)) ck.Add(pp + ".hostIP", "must be a valid IP address");
    if (!p.name.empty()) {
      if (auto why = CheckPortName(p.name); !why.empty()) ck.Add(pp + ".name", why);
      if (!port_names.insert(p.name).second) ck.Add(pp + ".name", "duplicate port name \"" + p.name + "\"");
    }
  }
  std::set<std::string> env_seen;
  for (size_t i = 0; i < c.env.size(); ++i) {
    const auto& e = c.env[i];
    std::string ep = path + ".env[" + std::to_string(i) + "]";
    CheckEnvName(ck, e.name, ep + ".name");
    int sources = e.field_ref.has_value() + e.resource_field_ref.has_value() + e.config_map_key_ref.has_value() +
                  e.secret_key_ref.has_value();
    for (const auto& [ref, field] : {std::pair{&e.config_map_key_ref, "configMapKeyRef"}, std::pair{&e.secret_key_ref, "secretKeyRef"}}) {
      if (!*ref) continue;
      std::string rp = ep + ".valueFrom." + field;
      if ((*ref)->name.empty()) ck.Add(rp + ".name", "required");
      if ((*ref)->key.empty()) {
        ck.Add(rp + ".key", "required");
      } else if (std::string why = CheckObjectKey((*ref)->key); !why.empty()) {
        ck.Add(rp + ".key", "invalid key \"" + (*ref)->key + "\": " + why);
      }
    }
    if (e.value && sources > 0) ck.Add(ep + ".valueFrom", "may not be set when value is set");
    if (sources > 1) ck.Add(ep + ".valueFrom", "may not specify more than 1 source");
    if (e.field_ref) {
      if (!OneOf(e.field_ref->api_version, "v1")) ck.Add(ep + ".valueFrom.fieldRef.apiVersion", "must be v1");
      if (!SupportedFieldPath(e.field_ref->field_path)) {
        ck.Add(ep + ".valueFrom.fieldRef.fieldPath",
               "unsupported field \"" + e.field_ref->field_path +
                   "\" (use metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'], "
                   "metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP "
                   "or status.podIPs)");
      }
    }
    if (e.resource_field_ref) {
      const auto& r = *e.resource_field_ref;
      if (!OneOf(r.resource, "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu",
                 "requests.memory", "requests.ephemeral-storage")) {
        ck.Add(ep + ".valueFrom.resourceFieldRef.resource",
               "unsupported resource \"" + r.resource + "\" (use limits.cpu, limits.memory, requests.cpu or requests.memory)");
      }
      if (r.divisor && r.divisor->milli <= 0) ck.Add(ep + ".valueFrom.resourceFieldRef.divisor", "must be positive");
      if (!r.container_name.empty()) {
        bool found = false;
        for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers}) {
          for (const auto& other : *list) found = found || other.name == r.container_name;
        }
        if (!found) ck.Add(ep + ".valueFrom.resourceFieldRef.containerName", "no container named \"" + r.container_name + "\"");
      }
    }
  }
  for (size_t i = 0; i < c.env_from.size(); ++i) {
    const auto& f = c.env_from[i];
    std::string fp = path + ".envFrom[" + std::to_string(i) + "]";
    if (f.config_map_ref && f.secret_ref) {
      ck.Add(fp, "may not have more than one field specified at a time");
    } else if (!f.config_map_ref && !f.secret_ref) {
      ck.Add(fp, "must specify one of: `configMapRef` or `secretRef`");
    }
    if (f.config_map_ref && f.config_map_ref->name.empty()) ck.Add(fp + ".configMapRef.name", "required");
    if (f.secret_ref && f.secret_ref->name.empty()) ck.Add(fp + ".secretRef.name", "required");
    if (!f.prefix.empty()) CheckEnvName(ck, f.prefix, fp + ".prefix");
  }
  CheckResources(ck, c.resources, path + ".resources");
  std::set<std::string> mount_paths;
  for (size_t i = 0; i < c.volume_mounts.size(); ++i) {
    const auto& m = c.volume_mounts[i];
    std::string mp = path + ".volumeMounts[" + std::to_string(i) + "]";
    if (m.name.empty()) {
      ck.Add(mp + ".name", "required");
    } else if (!volumes.count(m.name)) {
      std::string known;
      for (const auto& v : volumes) known += (known.empty() ? "" : ", ") + v;
      ck.Add(mp + ".name", "unknown volume \"" + m.name + "\" (" +
                               (known.empty() ? std::string("spec.volumes declares none") : "spec.volumes declares " + known) + ")");
    }
    if (m.mount_path.empty()) ck.Add(mp + ".mountPath", "required");
    else if (m.mount_path[0] != '/') ck.Add(mp + ".mountPath", "must be an absolute path");
    else if (!mount_paths.insert(m.mount_path).second) ck.Add(mp + ".mountPath", "must be unique (already mounted)");
    if (!m.sub_path.empty()) {
      bool dotdot = false;
      for (size_t from = 0; from <= m.sub_path.size();) {
        size_t slash = m.sub_path.find('/', from);
        if (slash == std::string::npos) slash = m.sub_path.size();
        dotdot = dotdot || m.sub_path.compare(from, slash - from, "..") == 0;
        from = slash + 1;
      }
      if (m.sub_path[0] == '/' || dotdot) ck.Add(mp + ".subPath", "must be a relative path inside the volume (no '..')");
    }
    if (!OneOf(m.mount_propagation, "", "None", "HostToContainer", "Bidirectional")) {
      ck.Add(mp + ".mountPropagation", "must be None, HostToContainer or Bidirectional");
    }
  }
  bool liveness_like = true;
  if (c.liveness_probe) CheckProbe(ck, *c.liveness_probe, c, path + ".livenessProbe", liveness_like);
  if (c.readiness_probe) CheckProbe(ck, *c.readiness_probe, c, path + ".readinessProbe", false);
  if (c.startup_probe) CheckProbe(ck, *c.startup_probe, c, path + ".startupProbe", liveness_like);
  if (c.lifecycle) {
    if (c.lifecycle->post_start) CheckHandler(ck, *c.lifecycle->post_start, c, path + ".lifecycle.postStart");
    if (c.lifecycle->pre_stop) CheckHandler(ck, *c.lifecycle->pre_stop, c, path + ".lifecycle.preStop");
  }
  if (c.security_context && c.security_context->seccomp_profile) {
    CheckSeccomp(ck, *c.security_context->seccomp_profile, path + ".securityContext.seccompProfile");
  }
  if (c.security_context && c.security_context->proc_mount &&
      !OneOf(*c.security_context->proc_mount, "Default", "Unmasked")) {
    ck.Add(path + ".securityContext.procMount", "must be Default or Unmasked");
  }
}

}  // namespace

std::string CheckDnsLabel(const std::string& s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > 63) return "must be no more than 63 characters";
  for (char c : s) {
    if (!LowerAlnum(c) && c != '-') {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name' or '123-abc')";
    }
  }
  if (!LowerAlnum(s.front()) || !LowerAlnum(s.back())) {
    return "a lowercase RFC 1123 label must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')";
  }
  return "";
}

std::string CheckDnsSubdomain(const std::string& s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > 253) return "must be no more than 253 characters";
  for (char c : s) {
    if (!LowerAlnum(c) && c != '-' && c != '.') {
      return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'example.com')";
    }
  }
  if (!LowerAlnum(s.front()) || !LowerAlnum(s.back())) {
    return "a lowercase RFC 1123 subdomain must start and end with an alphanumeric character (e.g. 'example.com')";
  }
  // Each dot-separated part is a label (IsDNS1123Subdomain): "a..b" and "a.-b" are refused.
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '.' && (s[i + 1] == '.' || s[i + 1] == '-')) {
      return "a lowercase RFC 1123 subdomain must consist of dot-separated parts that each start and end with an "
             "alphanumeric character (e.g. 'example.com')";
    }
    if (s[i] == '-' && s[i + 1] == '.') {
      return "a lowercase RFC 1123 subdomain must consist of dot-separated parts that each start and end with an "
             "alphanumeric character (e.g. 'example.com')";
    }
  }
  return "";
}

std::string CheckPortName(const std::string& s) {
  if (s.size() > 15) return "must be no more than 15 characters";
  bool letter = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!LowerAlnum(c) && c != '-') return "must contain only lowercase alphanumeric characters or '-' (e.g. 'http')";
    if (c >= 'a' && c <= 'z') letter = true;
    if (c == '-' && (i == 0 || i + 1 == s.size() || s[i + 1] == '-')) {
      return "must not begin or end with '-' or contain '--' (e.g. 'http')";
    }
  }
  if (!letter) return "must contain at least one letter (e.g. 'http')";
  return "";
}

std::vector<FieldError> ValidatePod(const Pod& pod, const std::map<std::string, int>& lines, const std::string& file,
                                    const std::string& node) {
  Checker ck(lines, file);
  if (pod.api_version != "v1") {
    ck.Add("apiVersion", pod.api_version.empty() ? "required (v1)" : "unsupported \"" + pod.api_version + "\": a static pod is apiVersion v1");
  }
  if (pod.kind != "Pod") {
    ck.Add("kind", pod.kind.empty() ? "required (Pod)" : "unknown kind \"" + pod.kind + "\": a static pod manifest holds kind Pod");
  }
  const auto& md = pod.metadata;
  if (md.name.empty()) {
    ck.Add("metadata.name", "required");
  } else if (auto why = CheckDnsSubdomain(md.name); !why.empty()) {
    ck.Add("metadata.name", why);
  } else if (md.name.size() + 1 + node.size() > 253) {
    ck.Add("metadata.name", "too long: with the node suffix \"-" + node + "\" it exceeds 253 characters");
  }
  if (auto why = CheckDnsLabel(md.namespace_); !why.empty()) ck.Add("metadata.namespace", why);
  // The UID names the pod's directory under --root-dir and its log directory: it must be one path part.
  if (!md.uid.empty()) {
    if (md.uid.size() > 128) ck.Add("metadata.uid", "must be no more than 128 characters");
    else if (!LabelShape(md.uid)) {
      ck.Add("metadata.uid",
             "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
             "character (e.g. a UUID such as '5f3c8a2e-0d1b-4c8e-9a57-2b6f0e4d1c3a')");
    }
  }
  for (const auto& [k, v] : md.labels) {
    if (auto why = CheckQualifiedName(k); !why.empty()) ck.Add("metadata.labels." + k, "invalid label key: " + why);
    if (v.size() > 63) ck.Add("metadata.labels." + k, "must be no more than 63 characters");
    else if (!LabelShape(v)) {
      ck.Add("metadata.labels." + k,
             "a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start "
             "and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')");
    }
  }
  size_t annotation_bytes = 0;
  for (const auto& [k, v] : md.annotations) {
    annotation_bytes += k.size() + v.size();
    if (auto why = CheckQualifiedName(k); !why.empty()) {
      ck.Add("metadata.annotations." + k, "invalid annotation key: " + why);
    }
  }
  if (annotation_bytes > 256 * 1024) ck.Add("metadata.annotations", "must have at most 262144 bytes in all");

  const auto& s = pod.spec;
  if (!OneOf(s.restart_policy, "Always", "OnFailure", "Never")) {
    ck.Add("spec.restartPolicy", "must be Always, OnFailure or Never");
  }
  if (!OneOf(s.dns_policy, "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")) {
    ck.Add("spec.dnsPolicy", "must be ClusterFirst, ClusterFirstWithHostNet, Default or None");
  }
  if (s.dns_policy == "None" && (!s.dns_config || s.dns_config->nameservers.empty())) {
    ck.Add("spec.dnsConfig.nameservers", "required when dnsPolicy is None");
  }
  if (s.dns_config) {
    const auto& d = *s.dns_config;
    if (d.nameservers.size() > 3) ck.Add("spec.dnsConfig.nameservers", "must have at most 3 entries");
    for (size_t i = 0; i < d.nameservers.size(); ++i) {
      if (!IsIp(d.nameservers[i])) {
        ck.Add("spec.dnsConfig.nameservers[" + std::to_string(i) + "]", "must be a valid IP address");
      }
    }
    if (d.searches.size() > 32) ck.Add("spec.dnsConfig.searches", "must have at most 32 entries");
    for (size_t i = 0; i < d.options.size(); ++i) {
      if (d.options[i].name.empty()) ck.Add("spec.dnsConfig.options[" + std::to_string(i) + "].name", "required");
    }
  }
  if (s.termination_grace_period_seconds && *s.termination_grace_period_seconds < 0) {
    ck.Add("spec.terminationGracePeriodSeconds", "must be non-negative");
  }
  if (!s.hostname.empty()) {
    if (auto why = CheckDnsLabel(s.hostname); !why.empty()) ck.Add("spec.hostname", why);
  }
  if (!s.subdomain.empty()) {
    if (auto why = CheckDnsLabel(s.subdomain); !why.empty()) ck.Add("spec.subdomain", why);
  }
  if (s.share_process_namespace.value_or(false) && s.host_pid) {
    ck.Add("spec.shareProcessNamespace", "may not be true together with hostPID");
  }

  std::set<std::string> volumes;
  for (size_t i = 0; i < s.volumes.size(); ++i) {
    const auto& v = s.volumes[i];
    std::string vp = "spec.volumes[" + std::to_string(i) + "]";
    if (v.name.empty()) ck.Add(vp + ".name", "required");
    else if (auto why = CheckDnsLabel(v.name); !why.empty()) ck.Add(vp + ".name", why);
    else if (!volumes.insert(v.name).second) ck.Add(vp + ".name", "duplicate volume name \"" + v.name + "\"");
    int sources = v.empty_dir.has_value() + v.host_path.has_value() + v.persistent_volume_claim.has_value() +
                  v.object.has_value();
    if (v.persistent_volume_claim) {
      if (v.persistent_volume_claim->claim_name.empty()) ck.Add(vp + ".persistentVolumeClaim.claimName", "required");
      else if (auto why = CheckDnsSubdomain(v.persistent_volume_claim->claim_name); !why.empty()) {
        ck.Add(vp + ".persistentVolumeClaim.claimName", why);
      }
    }
    if (sources == 0) {
      ck.Add(vp, "must specify a volume source: emptyDir, hostPath, persistentVolumeClaim, configMap, secret, "
                 "downwardAPI or projected");
    }
    if (sources > 1) ck.Add(vp, "may not specify more than 1 volume source");
    if (v.empty_dir && !OneOf(v.empty_dir->medium, "", "Memory")) ck.Add(vp + ".emptyDir.medium", "must be \"\" or Memory");
    if (v.empty_dir && v.empty_dir->size_limit && v.empty_dir->size_limit->milli < 0) {
      ck.Add(vp + ".emptyDir.sizeLimit", "must be non-negative");
    }
    if (v.host_path) {
      if (v.host_path->path.empty() || v.host_path->path[0] != '/') ck.Add(vp + ".hostPath.path", "must be an absolute path");
      if (!OneOf(v.host_path->type, "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
                 "BlockDevice")) {
        ck.Add(vp + ".hostPath.type",
               "must be one of DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice or empty");
      }
    }
  }

  if (s.containers.empty()) ck.Add("spec.containers", "required: a pod needs at least one container");
  std::map<std::string, std::string> names;  // container name -> where first seen
  auto check_all = [&](const std::vector<Container>& list, const std::string& field, bool init) {
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path = "spec." + field + "[" + std::to_string(i) + "]";
      CheckContainer(ck, pod, list[i], path, init, volumes);
      if (list[i].name.empty()) continue;
      auto [it, fresh] = names.emplace(list[i].name, path);
      if (!fresh) ck.Add(path + ".name", "duplicate container name \"" + list[i].name + "\" (also " + it->second + ")");
    }
  };
  check_all(s.init_containers, "initContainers", true);
  check_all(s.containers, "containers", false);

  if (s.security_context) {
    for (size_t i = 0; i < s.security_context->sysctls.size(); ++i) {
      const auto& sc = s.security_context->sysctls[i];
      if (sc.name.empty()) ck.Add("spec.securityContext.sysctls[" + std::to_string(i) + "].name", "required");
    }
  }
  for (size_t i = 0; i < s.host_aliases.size(); ++i) {
    std::string ap = "spec.hostAliases[" + std::to_string(i) + "]";
    if (s.host_aliases[i].ip.empty()) ck.Add(ap + ".ip", "required");
    else if (!IsIp(s.host_aliases[i].ip)) ck.Add(ap + ".ip", "must be a valid IP address");
  }
  if (s.security_context && s.security_context->seccomp_profile) {
    CheckSeccomp(ck, *s.security_context->seccomp_profile, "spec.securityContext.seccompProfile");
  }
  CheckAffinity(ck, s);
  if (s.security_context && !OneOf(s.security_context->fs_group_change_policy, "", "Always", "OnRootMismatch")) {
    ck.Add("spec.securityContext.fsGroupChangePolicy", "must be Always or OnRootMismatch");
  }
  // Two containers cannot bind the same host port (validation.go AccumulateUniqueHostPorts).
  std::map<std::string, std::string> host_ports;
  for (const auto* list : {&s.init_containers, &s.containers}) {
    std::string field = list == &s.containers ? "containers" : "initContainers";
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& ports = (*list)[i].ports;
      for (size_t j = 0; j < ports.size(); ++j) {
        if (ports[j].host_port == 0) continue;
        std::string key = std::to_string(ports[j].host_port) + "/" + ports[j].protocol + "/" + ports[j].host_ip;
        std::string path = "spec." + field + "[" + std::to_string(i) + "].ports[" + std::to_string(j) + "].hostPort";
        auto [it, fresh] = host_ports.emplace(key, path);
        if (!fresh) {
          ck.Add(path, "duplicate host port " + std::to_string(ports[j].host_port) + "/" + ports[j].protocol +
                           " (also " + it->second + ")");
        }
      }
    }
  }
  return ck.Take();
}

}  // namespace crilet::manifests
