// Kubelet-compatible labels, annotations and the container hash.
#include "agent/labels.h"

#include <nlohmann/json.hpp>

namespace crilet::agent {
namespace {

uint32_t Fnv1a32(const std::string& data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// Go's json.Marshal escapes <, > and & as \u003c etc.; nlohmann does not, so do it here to hash the same bytes.
std::string GoJsonString(const std::string& s) {
  std::string out = nlohmann::json(s).dump();
  std::string fixed;
  for (char c : out) {
    if (c == '<') fixed += "\\u003c";
    else if (c == '>') fixed += "\\u003e";
    else if (c == '&') fixed += "\\u0026";
    else fixed += c;
  }
  return fixed;
}

nlohmann::json HandlerJson(const manifests::LifecycleHandler& h) {
  nlohmann::json j = nlohmann::json::object();
  if (h.exec) j["exec"] = {{"command", h.exec->command}};
  if (h.http_get) {
    nlohmann::json g = {{"path", h.http_get->path}, {"scheme", h.http_get->scheme}};
    if (h.http_get->port.is_int) g["port"] = h.http_get->port.int_value; else g["port"] = h.http_get->port.str_value;
    if (!h.http_get->host.empty()) g["host"] = h.http_get->host;
    j["httpGet"] = g;
  }
  if (h.sleep) j["sleep"] = {{"seconds", h.sleep->seconds}};
  if (h.tcp_socket) j["tcpSocket"] = {{"port", h.tcp_socket->port.ToString()}};
  return j;
}

}  // namespace

uint64_t ContainerHash(const manifests::Container& c) {
  // json.Marshal of map[string]string sorts keys: image before name.
  std::string json = "{\"image\":" + GoJsonString(c.image) + ",\"name\":" + GoJsonString(c.name) + "}";
  // hashutil.DeepHashObject prints a []byte with spew as "([]uint8)[b0 b1 ...]" in decimal.
  std::string dump = "([]uint8)[";
  for (size_t i = 0; i < json.size(); ++i) {
    if (i) dump += ' ';
    dump += std::to_string(static_cast<unsigned char>(json[i]));
  }
  dump += "]";
  return Fnv1a32(dump);
}

std::string FormatHash(uint64_t hash) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(hash));
  return buf;
}

uint64_t ParseHash(const std::string& s) {
  if (s.empty() || s.size() > 16) return 0;
  uint64_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return 0;
  }
  return v;
}

cri::Labels SandboxLabels(const manifests::Pod& pod) {
  cri::Labels labels = pod.metadata.labels;
  labels[kPodNameLabel] = pod.metadata.name;
  labels[kPodNamespaceLabel] = pod.metadata.namespace_;
  labels[kPodUidLabel] = pod.metadata.uid;
  return labels;
}

Ownership SandboxOwnership(const cri::Labels& labels, const std::string& root_dir, std::string* other) {
  auto it = labels.find(kInstanceLabel);
  if (it == labels.end()) return Ownership::kUnlabeled;
  if (it->second == root_dir) return Ownership::kOurs;
  if (other) *other = it->second;
  return Ownership::kOtherInstance;
}

cri::Labels ContainerLabels(const manifests::Pod& pod, const manifests::Container& c) {
  return cri::Labels{
      {kPodNameLabel, pod.metadata.name},
      {kPodNamespaceLabel, pod.metadata.namespace_},
      {kPodUidLabel, pod.metadata.uid},
      {kContainerNameLabel, c.name},
  };
}

cri::Labels ContainerAnnotations(const manifests::Pod& pod, const manifests::Container& c, int32_t restart_count) {
  cri::Labels a;
  a[kContainerHashAnnotation] = FormatHash(ContainerHash(c));
  a[kRestartCountAnnotation] = std::to_string(restart_count);
  a[kTerminationMessagePathAnnotation] = c.termination_message_path;
  a[kTerminationMessagePolicyAnnotation] = c.termination_message_policy;
  a[kPodTerminationGracePeriodAnnotation] = std::to_string(pod.spec.termination_grace_period_seconds.value_or(30));
  if (c.lifecycle && c.lifecycle->pre_stop) a[kPreStopHandlerAnnotation] = HandlerJson(*c.lifecycle->pre_stop).dump();
  if (!c.ports.empty()) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : c.ports) {
      nlohmann::json j = {{"containerPort", p.container_port}, {"protocol", p.protocol.empty() ? "TCP" : p.protocol}};
      if (!p.name.empty()) j["name"] = p.name;
      if (p.host_port) j["hostPort"] = p.host_port;
      ports.push_back(j);
    }
    a[kContainerPortsAnnotation] = ports.dump();
  }
  return a;
}

}  // namespace crilet::agent
