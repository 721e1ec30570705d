// kubectl's describePod (k8s.io/kubectl pkg/describe/describe.go) for crilet's pods.
#include "cli/pod_description.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <sstream>
#include <vector>

#include "cli/event_table.h"
#include "cli/host_path_warnings.h"
#include "cli/pod_table.h"
#include "cli/tab_writer.h"
#include "common/duration.h"

namespace crilet::cli {
namespace {

using nlohmann::json;

std::string Scalar(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }
std::string Bool(bool b) { return b ? "true" : "false"; }

// time.RFC1123Z, in UTC.
std::string HumanTime(const std::string& rfc3339) {
  auto t = ParseTime(rfc3339);
  if (!t) return rfc3339;
  std::time_t secs = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// kubectl's PrefixWriter: two spaces per level before the text.
class Writer {
 public:
  void W(int level, const std::string& text) { out_ << std::string(2 * static_cast<size_t>(level), ' ') << text; }
  std::string Text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// printLabelsMultiline: "Title:\tk=v\n" and "\tk2=v2\n", sorted, or <none>.
void LabelsMultiline(Writer& w, const std::string& title, const json& labels) {
  w.W(0, title + ":\t");
  if (!labels.is_object() || labels.empty()) return w.W(0, "<none>\n");
  bool first = true;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    w.W(0, (first ? "" : "\t") + it.key() + "=" + Scalar(it.value()) + "\n");
    first = false;
  }
}

// printAnnotationsMultiline: long or multi-line values on lines of their own, cut at 140 characters.
void AnnotationsMultiline(Writer& w, const json& annotations) {
  constexpr size_t kMaxAnnotationLen = 140;
  w.W(0, "Annotations:\t");
  bool first = true;
  for (auto it = annotations.begin(); annotations.is_object() && it != annotations.end(); ++it) {
    if (it.key() == "kubectl.kubernetes.io/last-applied-configuration") continue;
    if (!first) w.W(0, "\t");
    first = false;
    std::string value = Scalar(it.value());
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (value.size() + it.key().size() + 2 > kMaxAnnotationLen || value.find('\n') != std::string::npos) {
      w.W(0, it.key() + ":\n");
      std::istringstream lines(value);
      for (std::string s; std::getline(lines, s);) {
        w.W(0, "\t  " + (s.size() > kMaxAnnotationLen - 2 ? s.substr(0, kMaxAnnotationLen - 2) + "..." : s) + "\n");
      }
    } else {
      w.W(0, it.key() + ": " + value + "\n");
    }
  }
  if (first) w.W(0, "<none>\n");
}

// printPodTolerationsMultiline, sorted by key.
void Tolerations(Writer& w, json tolerations) {
  w.W(0, "Tolerations:\t");
  if (!tolerations.is_array() || tolerations.empty()) return w.W(0, "<none>\n");
  std::vector<json> sorted(tolerations.begin(), tolerations.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const json& a, const json& b) { return a.value("key", "") < b.value("key", ""); });
  bool first = true;
  for (const auto& t : sorted) {
    std::string line = first ? "" : "\t";
    first = false;
    const std::string key = t.value("key", ""), value = t.value("value", ""), effect = t.value("effect", "");
    line += key;
    if (!value.empty()) line += "=" + value;
    if (!effect.empty()) line += ":" + effect;
    if (t.value("operator", "") == "Exists" && value.empty()) line += key.empty() && effect.empty() ? "op=Exists" : " op=Exists";
    if (t.contains("tolerationSeconds")) line += " for " + Scalar(t["tolerationSeconds"]) + "s";
    w.W(0, line + "\n");
  }
}

// DescribeProbe, in kubectl's words before 1.37 (#success/#failure, as most kubectl in use prints them).
std::string ProbeText(const json& p) {
  std::string kind;
  if (p.contains("httpGet")) {
    const json& h = p["httpGet"];
    kind = "http-get " + std::string(h.value("scheme", "HTTP") == "HTTPS" ? "https" : "http") + "://" +
           h.value("host", "") + ":" + Scalar(h["port"]) + h.value("path", "");
  } else if (p.contains("tcpSocket")) {
    kind = "tcp-socket " + p["tcpSocket"].value("host", "") + ":" + Scalar(p["tcpSocket"]["port"]);
  } else if (p.contains("exec")) {
    kind = "exec [";
    for (const auto& c : p["exec"].value("command", json::array())) kind += (kind.back() == '[' ? "" : " ") + Scalar(c);
    kind += "]";
  } else if (p.contains("grpc")) {
    kind = "grpc <pod>:" + Scalar(p["grpc"]["port"]) + " " + p["grpc"].value("service", "");
  } else {
    kind = "unknown";
  }
  return kind + " delay=" + std::to_string(p.value("initialDelaySeconds", 0)) + "s timeout=" +
         std::to_string(p.value("timeoutSeconds", 1)) + "s period=" + std::to_string(p.value("periodSeconds", 10)) +
         "s #success=" + std::to_string(p.value("successThreshold", 1)) +
         " #failure=" + std::to_string(p.value("failureThreshold", 3));
}

// describeStatus.
void State(Writer& w, const std::string& name, const json& st) {
  if (st.contains("running")) {
    w.W(2, name + ":\tRunning\n");
    w.W(3, "Started:\t" + HumanTime(st["running"].value("startedAt", "")) + "\n");
  } else if (st.contains("waiting")) {
    w.W(2, name + ":\tWaiting\n");
    if (!st["waiting"].value("reason", "").empty()) w.W(3, "Reason:\t" + st["waiting"].value("reason", "") + "\n");
  } else if (st.contains("terminated")) {
    const json& t = st["terminated"];
    w.W(2, name + ":\tTerminated\n");
    if (!t.value("reason", "").empty()) w.W(3, "Reason:\t" + t.value("reason", "") + "\n");
    if (!t.value("message", "").empty()) w.W(3, "Message:\t" + t.value("message", "") + "\n");
    w.W(3, "Exit Code:\t" + std::to_string(t.value("exitCode", 0)) + "\n");
    if (t.value("signal", 0) > 0) w.W(3, "Signal:\t" + std::to_string(t.value("signal", 0)) + "\n");
    w.W(3, "Started:\t" + HumanTime(t.value("startedAt", "")) + "\n");
    w.W(3, "Finished:\t" + HumanTime(t.value("finishedAt", "")) + "\n");
  } else {
    w.W(2, name + ":\tWaiting\n");
  }
}

// "80/TCP (http), 443/TCP": describeContainerPorts (host = false) and describeContainerHostPorts.
std::string Ports(const json& ports, bool host) {
  std::string out;
  for (const auto& p : ports) {
    out += (out.empty() ? "" : ", ") + std::to_string(p.value(host ? "hostPort" : "containerPort", 0)) + "/" + p.value("protocol", "TCP");
    if (!p.value("name", "").empty()) out += " (" + p.value("name", "") + ")";
  }
  return out;
}

// EnvValueRetriever for the field paths a static pod's downward API can name.
std::string FieldValue(const json& pod, const std::string& path) {
  const json md = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  const json st = pod.value("status", json::object());
  auto map_key = [&](const std::string& prefix, const json& map) -> std::optional<std::string> {
    if (path.rfind(prefix + "['", 0) != 0 || path.size() < prefix.size() + 4) return std::nullopt;
    std::string key = path.substr(prefix.size() + 2, path.size() - prefix.size() - 4);
    return map.is_object() && map.contains(key) ? Scalar(map[key]) : "";
  };
  if (auto v = map_key("metadata.labels", md.value("labels", json::object()))) return *v;
  if (auto v = map_key("metadata.annotations", md.value("annotations", json::object()))) return *v;
  if (path == "metadata.name") return md.value("name", "");
  if (path == "metadata.namespace") return md.value("namespace", "");
  if (path == "metadata.uid") return md.value("uid", "");
  if (path == "spec.nodeName") return spec.value("nodeName", "");
  if (path == "spec.serviceAccountName") return spec.value("serviceAccountName", "");
  if (path == "status.podIP") return st.value("podIP", "");
  if (path == "status.hostIP") return st.value("hostIP", "");
  return "";
}

void Environment(Writer& w, const json& pod, const json& c) {
  if (c.contains("envFrom") && !c["envFrom"].empty()) {
    w.W(2, "Environment Variables from:\n");
    for (const auto& e : c["envFrom"]) {
      const bool config_map = e.contains("configMapRef");
      const json ref = e.value(config_map ? "configMapRef" : "secretRef", json::object());
      std::string from = config_map ? "ConfigMap" : "Secret";
      if (!e.value("prefix", "").empty()) from += " with prefix '" + e.value("prefix", "") + "'";
      w.W(3, ref.value("name", "") + "\t" + from + "\tOptional: " + Bool(ref.value("optional", false)) + "\n");
    }
  }
  const json env = c.value("env", json::array());
  w.W(2, std::string("Environment:") + (env.empty() ? "\t<none>" : "") + "\n");
  for (const auto& e : env) {
    const std::string name = e.value("name", "");
    if (!e.contains("valueFrom")) {
      std::istringstream lines(e.contains("value") ? Scalar(e["value"]) : "");
      std::string s;
      bool first = true;
      while (std::getline(lines, s) || first) {
        w.W(3, (first ? name + ":\t" : "\t") + s + "\n");
        first = false;
      }
      continue;
    }
    const json& from = e["valueFrom"];
    if (from.contains("fieldRef")) {
      const json& f = from["fieldRef"];
      w.W(3, name + ":\t" + FieldValue(pod, f.value("fieldPath", "")) + " (" + f.value("apiVersion", "v1") + ":" +
                 f.value("fieldPath", "") + ")\n");
    } else if (from.contains("resourceFieldRef")) {
      // kubectl computes the value from the container's resources; "node allocatable" when a limit is unset.
      const std::string resource = from["resourceFieldRef"].value("resource", "");
      const size_t dot = resource.find('.');
      const json res = c.value("resources", json::object());
      std::string value = resource.rfind("limits.", 0) == 0 ? "node allocatable" : "0";
      if (dot != std::string::npos && res.value(resource.substr(0, dot), json::object()).contains(resource.substr(dot + 1))) {
        value = Scalar(res[resource.substr(0, dot)][resource.substr(dot + 1)]);
      }
      w.W(3, name + ":\t" + value + " (" + resource + ")\n");
    } else if (from.contains("secretKeyRef")) {
      const json& r = from["secretKeyRef"];
      w.W(3, name + ":\t<set to the key '" + r.value("key", "") + "' in secret '" + r.value("name", "") + "'>\tOptional: " +
                 Bool(r.value("optional", false)) + "\n");
    } else if (from.contains("configMapKeyRef")) {
      const json& r = from["configMapKeyRef"];
      w.W(3, name + ":\t<set to the key '" + r.value("key", "") + "' of config map '" + r.value("name", "") +
                 "'>\tOptional: " + Bool(r.value("optional", false)) + "\n");
    }
  }
}

// describeContainers: for each container its basic info, command, state, resources, probes, env, mounts.
void Containers(Writer& w, const json& pod, const std::string& title, const json& specs, const json& statuses) {
  w.W(0, title + ":" + (specs.empty() ? " <none>" : "") + "\n");
  for (const auto& c : specs) {
    const std::string name = c.value("name", "");
    const json* st = nullptr;
    for (const auto& s : statuses) {
      if (s.value("name", "") == name) st = &s;
    }
    w.W(1, name + ":\n");
    if (st) w.W(2, "Container ID:\t" + st->value("containerID", "") + "\n");
    w.W(2, "Image:\t" + c.value("image", "") + "\n");
    if (st) w.W(2, "Image ID:\t" + st->value("imageID", "") + "\n");
    const json ports = c.value("ports", json::array());
    std::string port = Ports(ports, false), host_port = Ports(ports, true);
    w.W(2, (port.find(',') != std::string::npos ? "Ports:\t" : "Port:\t") + (port.empty() ? "<none>" : port) + "\n");
    w.W(2, (host_port.find(',') != std::string::npos ? "Host Ports:\t" : "Host Port:\t") +
               (host_port.empty() ? "<none>" : host_port) + "\n");
    const json seccomp = c.value("securityContext", json::object()).value("seccompProfile", json::object());
    if (!seccomp.empty()) {
      w.W(2, "SeccompProfile:\t" + seccomp.value("type", "") + "\n");
      if (seccomp.value("type", "") == "Localhost") w.W(3, "LocalhostProfile:\t" + seccomp.value("localhostProfile", "") + "\n");
    }
    for (const char* key : {"command", "args"}) {
      if (!c.contains(key) || c[key].empty()) continue;
      w.W(2, std::string(key) == "command" ? "Command:\n" : "Args:\n");
      for (const auto& a : c[key]) {
        std::istringstream lines(Scalar(a));
        for (std::string s; std::getline(lines, s);) w.W(3, s + "\n");
      }
    }
    if (st) {
      State(w, "State", st->value("state", json::object()));
      const json last = st->value("lastState", json::object());
      if (last.contains("terminated")) State(w, "Last State", last);
      w.W(2, std::string("Ready:\t") + (st->value("ready", false) ? "True" : "False") + "\n");
      w.W(2, "Restart Count:\t" + std::to_string(st->value("restartCount", 0)) + "\n");
    }
    const json res = c.value("resources", json::object());
    for (const char* kind : {"limits", "requests"}) {
      if (!res.contains(kind) || res[kind].empty()) continue;
      w.W(2, std::string(kind) == "limits" ? "Limits:\n" : "Requests:\n");
      for (auto it = res[kind].begin(); it != res[kind].end(); ++it) w.W(3, it.key() + ":\t" + Scalar(it.value()) + "\n");
    }
    if (c.contains("livenessProbe")) w.W(2, "Liveness:\t" + ProbeText(c["livenessProbe"]) + "\n");
    if (c.contains("readinessProbe")) w.W(2, "Readiness:\t" + ProbeText(c["readinessProbe"]) + "\n");
    if (c.contains("startupProbe")) w.W(2, "Startup:\t" + ProbeText(c["startupProbe"]) + "\n");
    Environment(w, pod, c);
    std::vector<json> mounts;
    for (const auto& m : c.value("volumeMounts", json::array())) mounts.push_back(m);
    std::stable_sort(mounts.begin(), mounts.end(),
                     [](const json& a, const json& b) { return a.value("mountPath", "") < b.value("mountPath", ""); });
    w.W(2, std::string("Mounts:") + (mounts.empty() ? "\t<none>" : "") + "\n");
    for (const auto& m : mounts) {
      std::string flags = m.value("readOnly", false) ? "ro" : "rw";
      if (!m.value("subPath", "").empty()) flags += ",path=\"" + m.value("subPath", "") + "\"";
      w.W(3, m.value("mountPath", "") + " from " + m.value("name", "") + " (" + flags + ")\n");
    }
  }
}

// describeVolumes, with crilet's additions: a hostPath's SensitiveHostPath warning, a claim's local path.
void Volumes(Writer& w, const json& pod) {
  const json md = pod.value("metadata", json::object());
  const json volumes = pod.value("spec", json::object()).value("volumes", json::array());
  if (volumes.empty()) return w.W(0, "Volumes:\t<none>\n");
  w.W(0, "Volumes:\n");
  for (const auto& v : volumes) {
    w.W(1, v.value("name", "") + ":\n");
    if (v.contains("hostPath")) {
      const json& h = v["hostPath"];
      w.W(2, "Type:\tHostPath (bare host directory volume)\n");
      w.W(2, "Path:\t" + h.value("path", "") + "\n");
      w.W(2, "HostPathType:\t" + (h.contains("type") ? Scalar(h["type"]) : "<none>") + "\n");
      for (const auto& e : pod.value("events", json::array())) {
        if (e.value("reason", "") != kSensitiveHostPathReason) continue;
        if (e.value("involvedObject", json::object()).value("fieldPath", "") != "spec.volumes{" + v.value("name", "") + "}") continue;
        w.W(2, "Warning:\t" + std::string(kSensitiveHostPathReason) + ": " + e.value("message", "") + "\n");
      }
    } else if (v.contains("emptyDir")) {
      const json& e = v["emptyDir"];
      w.W(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
      w.W(2, "Medium:\t" + e.value("medium", "") + "\n");
      w.W(2, "SizeLimit:\t" + (e.contains("sizeLimit") ? Scalar(e["sizeLimit"]) : "<unset>") + "\n");
    } else if (v.contains("secret")) {
      const json& s = v["secret"];
      w.W(2, "Type:\tSecret (a volume populated by a Secret)\n");
      w.W(2, "SecretName:\t" + s.value("secretName", "") + "\n");
      w.W(2, "Optional:\t" + Bool(s.value("optional", false)) + "\n");
    } else if (v.contains("configMap")) {
      const json& c = v["configMap"];
      w.W(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
      w.W(2, "Name:\t" + c.value("name", "") + "\n");
      w.W(2, "Optional:\t" + Bool(c.value("optional", false)) + "\n");
    } else if (v.contains("persistentVolumeClaim")) {
      const json& c = v["persistentVolumeClaim"];
      const std::string claim = c.value("claimName", "");
      w.W(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n");
      w.W(2, "ClaimName:\t" + claim + "\n");
      w.W(2, "ReadOnly:\t" + Bool(c.value("readOnly", false)) + "\n");
      // crilet's addition: where the claim's data lives, from /pvc (DescribeCommand adds it as "claims").
      std::string bound = "<claim not found>";
      for (const auto& item : pod.value("claims", json::array())) {
        const json cm = item.value("metadata", json::object());
        if (cm.value("name", "") != claim || cm.value("namespace", "") != md.value("namespace", "default")) continue;
        const json ann = cm.value("annotations", json::object());
        bound = item.value("status", json::object()).value("phase", "") == "Bound"
                    ? ann.value("crilet.io/local-path", "") + " (volume " + item["spec"].value("volumeName", "") + ")"
                    : "<Pending: " + ann.value("crilet.io/pending-message", "") + ">";
      }
      w.W(2, "Path:\t" + bound + "\n");
    } else if (v.contains("downwardAPI")) {
      w.W(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
      w.W(2, "Items:\n");
      for (const auto& item : v["downwardAPI"].value("items", json::array())) {
        if (item.contains("fieldRef")) w.W(3, item["fieldRef"].value("fieldPath", "") + " -> " + item.value("path", "") + "\n");
        if (item.contains("resourceFieldRef")) {
          w.W(3, item["resourceFieldRef"].value("resource", "") + " -> " + item.value("path", "") + "\n");
        }
      }
    } else if (v.contains("projected")) {
      // kubectl before 1.37 names the sources' optional flags SecretOptionalName and ConfigMapOptional (<nil> unset).
      auto optional = [](const json& src) { return src.contains("optional") ? Bool(src["optional"].get<bool>()) : "<nil>"; };
      w.W(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      for (const auto& src : v["projected"].value("sources", json::array())) {
        if (src.contains("secret")) {
          w.W(2, "SecretName:\t" + src["secret"].value("name", "") + "\n");
          w.W(2, "SecretOptionalName:\t" + optional(src["secret"]) + "\n");
        } else if (src.contains("downwardAPI")) {
          w.W(2, "DownwardAPI:\ttrue\n");
        } else if (src.contains("configMap")) {
          w.W(2, "ConfigMapName:\t" + src["configMap"].value("name", "") + "\n");
          w.W(2, "ConfigMapOptional:\t" + optional(src["configMap"]) + "\n");
        } else if (src.contains("serviceAccountToken")) {
          w.W(2, "TokenExpirationSeconds:\t" + Scalar(src["serviceAccountToken"].value("expirationSeconds", json(3600))) + "\n");
        }
      }
    } else {
      w.W(1, "<unknown>\n");
    }
  }
}

}  // namespace

std::string DescribePod(const json& pod, TimePoint now) {
  Writer w;
  const json md = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  const json st = pod.value("status", json::object());
  w.W(0, "Name:\t" + md.value("name", "") + "\n");
  w.W(0, "Namespace:\t" + md.value("namespace", "") + "\n");
  if (spec.contains("priority")) w.W(0, "Priority:\t" + Scalar(spec["priority"]) + "\n");
  if (!spec.value("priorityClassName", "").empty()) w.W(0, "Priority Class Name:\t" + spec.value("priorityClassName", "") + "\n");
  if (!spec.value("runtimeClassName", "").empty()) w.W(0, "Runtime Class Name:\t" + spec.value("runtimeClassName", "") + "\n");
  if (!spec.value("serviceAccountName", "").empty()) w.W(0, "Service Account:\t" + spec.value("serviceAccountName", "") + "\n");
  const std::string node = spec.value("nodeName", "");
  w.W(0, "Node:\t" + (node.empty() ? "<none>" : node + "/" + st.value("hostIP", "")) + "\n");
  if (st.contains("startTime")) w.W(0, "Start Time:\t" + HumanTime(st.value("startTime", "")) + "\n");
  LabelsMultiline(w, "Labels", md.value("labels", json::object()));
  AnnotationsMultiline(w, md.value("annotations", json::object()));
  const std::string phase = st.value("phase", "");
  auto deleting = ParseTime(md.value("deletionTimestamp", ""));
  if (deleting && phase != "Failed" && phase != "Succeeded") {
    // crilet's deletionTimestamp is when the grace period ends, so "lasts" counts down to it.
    w.W(0, "Status:\tTerminating (lasts " + FormatAge(std::max<Duration>(*deleting - now, Duration{0})) + ")\n");
    w.W(0, "Termination Grace Period:\t" + std::to_string(md.value("deletionGracePeriodSeconds", 0)) + "s\n");
  } else {
    w.W(0, "Status:\t" + phase + "\n");
  }
  if (!st.value("reason", "").empty()) w.W(0, "Reason:\t" + st.value("reason", "") + "\n");
  if (!st.value("message", "").empty()) w.W(0, "Message:\t" + st.value("message", "") + "\n");
  const json seccomp = spec.value("securityContext", json::object()).value("seccompProfile", json::object());
  if (!seccomp.empty()) {
    w.W(0, "SeccompProfile:\t" + seccomp.value("type", "") + "\n");
    if (seccomp.value("type", "") == "Localhost") w.W(0, "LocalhostProfile:\t" + seccomp.value("localhostProfile", "") + "\n");
  }
  w.W(0, "IP:\t" + st.value("podIP", "") + "\n");
  const json ips = st.value("podIPs", json::array());
  if (ips.empty()) {
    w.W(0, "IPs:\t<none>\n");
  } else {
    w.W(0, "IPs:\n");
    for (const auto& ip : ips) w.W(1, "IP:\t" + ip.value("ip", "") + "\n");
  }
  for (const auto& ref : md.value("ownerReferences", json::array())) {
    if (ref.value("controller", false)) w.W(0, "Controlled By:\t" + ref.value("kind", "") + "/" + ref.value("name", "") + "\n");
  }
  if (!st.value("nominatedNodeName", "").empty()) w.W(0, "NominatedNodeName:\t" + st.value("nominatedNodeName", "") + "\n");
  const json inits = spec.value("initContainers", json::array());
  if (!inits.empty()) Containers(w, pod, "Init Containers", inits, st.value("initContainerStatuses", json::array()));
  Containers(w, pod, "Containers", spec.value("containers", json::array()), st.value("containerStatuses", json::array()));
  if (spec.contains("ephemeralContainers")) {  // crilet debug's containers, while they run (kubectl's section)
    Containers(w, pod, "Ephemeral Containers", spec["ephemeralContainers"], st.value("ephemeralContainerStatuses", json::array()));
  }
  const json conditions = st.value("conditions", json::array());
  if (!conditions.empty()) {
    w.W(0, "Conditions:\n  Type\tStatus\n");
    for (const auto& c : conditions) w.W(1, c.value("type", "") + " \t" + c.value("status", "") + " \n");
  }
  Volumes(w, pod);
  w.W(0, "QoS Class:\t" + st.value("qosClass", "BestEffort") + "\n");
  LabelsMultiline(w, "Node-Selectors", spec.value("nodeSelector", json::object()));
  Tolerations(w, spec.value("tolerations", json::array()));
  // kubectl flushes its tabwriter before the events, so their table is aligned on its own.
  std::vector<EventRow> events = AggregateEvents(pod.value("events", json::array()));
  if (events.empty()) {
    w.W(0, "Events:\t<none>\n");
    return AlignTabs(w.Text());
  }
  return AlignTabs(w.Text()) + FormatEventTable(events, now);
}

}  // namespace crilet::cli
