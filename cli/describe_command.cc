// kubectl-describe-like rendering of a pod.
#include "cli/describe_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/ephemeral.h"
#include "cli/event_table.h"
#include "cli/host_path_warnings.h"
#include "cli/pod_lookup.h"
#include "cli/pod_table.h"
#include "cli/status_client.h"
#include "common/duration.h"

namespace crilet::cli {
namespace {

using nlohmann::json;

std::string Pad(const std::string& label, size_t width) {
  return label + std::string(label.size() < width ? width - label.size() : 1, ' ');
}

std::string Scalar(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

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

std::string ProbeText(const json& p) {
  std::string kind;
  if (p.contains("httpGet")) {
    const json& h = p["httpGet"];
    kind = "http-get " + std::string(h.value("scheme", "HTTP") == "HTTPS" ? "https" : "http") + "://" +
           h.value("host", "") + ":" + Scalar(h["port"]) + h.value("path", "/");
  } else if (p.contains("tcpSocket")) {
    kind = "tcp-socket " + p["tcpSocket"].value("host", "") + ":" + Scalar(p["tcpSocket"]["port"]);
  } else if (p.contains("exec")) {
    kind = "exec [";
    for (const auto& c : p["exec"].value("command", json::array())) kind += (kind.back() == '[' ? "" : " ") + Scalar(c);
    kind += "]";
  } else if (p.contains("grpc")) {
    kind = "grpc <pod>:" + Scalar(p["grpc"]["port"]) + " " + p["grpc"].value("service", "");
  }
  return kind + " delay=" + std::to_string(p.value("initialDelaySeconds", 0)) + "s timeout=" +
         std::to_string(p.value("timeoutSeconds", 1)) + "s period=" + std::to_string(p.value("periodSeconds", 10)) +
         "s #success=" + std::to_string(p.value("successThreshold", 1)) +
         " #failure=" + std::to_string(p.value("failureThreshold", 3));
}

void State(std::ostream& o, const std::string& label, const json& st, const std::string& indent) {
  if (st.contains("running")) {
    o << indent << Pad(label + ":", 18) << "Running\n";
    o << indent << "  " << Pad("Started:", 16) << HumanTime(st["running"].value("startedAt", "")) << "\n";
  } else if (st.contains("terminated")) {
    const json t = st["terminated"];
    o << indent << Pad(label + ":", 18) << "Terminated\n";
    o << indent << "  " << Pad("Reason:", 16) << t.value("reason", "") << "\n";
    if (!t.value("message", "").empty()) o << indent << "  " << Pad("Message:", 16) << t.value("message", "") << "\n";
    o << indent << "  " << Pad("Exit Code:", 16) << t.value("exitCode", 0) << "\n";
    o << indent << "  " << Pad("Started:", 16) << HumanTime(t.value("startedAt", "")) << "\n";
    o << indent << "  " << Pad("Finished:", 16) << HumanTime(t.value("finishedAt", "")) << "\n";
  } else if (st.contains("waiting")) {
    o << indent << Pad(label + ":", 18) << "Waiting\n";
    if (!st["waiting"].value("reason", "").empty()) o << indent << "  " << Pad("Reason:", 16) << st["waiting"].value("reason", "") << "\n";
    if (!st["waiting"].value("message", "").empty()) o << indent << "  " << Pad("Message:", 16) << st["waiting"].value("message", "") << "\n";
  } else {
    o << indent << Pad(label + ":", 18) << "\n";
  }
}

void Containers(std::ostream& o, const std::string& title, const json& specs, const json& statuses) {
  if (specs.empty()) return;
  o << title << ":\n";
  for (const auto& c : specs) {
    std::string name = c.value("name", "");
    json st = json::object();
    for (const auto& s : statuses) {
      if (s.value("name", "") == name) st = s;
    }
    o << "  " << name << ":\n";
    o << "    " << Pad("Container ID:", 18) << st.value("containerID", "") << "\n";
    o << "    " << Pad("Image:", 18) << c.value("image", "") << "\n";
    o << "    " << Pad("Image ID:", 18) << st.value("imageID", "") << "\n";
    for (const auto& p : c.value("ports", json::array())) {
      o << "    " << Pad("Port:", 18) << p.value("containerPort", 0) << "/" << p.value("protocol", "TCP")
        << (p.contains("name") ? " (" + p["name"].get<std::string>() + ")" : "") << "\n";
      o << "    " << Pad("Host Port:", 18) << p.value("hostPort", 0) << "/" << p.value("protocol", "TCP") << "\n";
    }
    for (const char* key : {"command", "args"}) {
      if (!c.contains(key)) continue;
      o << "    " << (std::string(key) == "command" ? "Command:" : "Args:") << "\n";
      for (const auto& a : c[key]) o << "      " << Scalar(a) << "\n";
    }
    State(o, "State", st.value("state", json::object()), "    ");
    if (!st.value("lastState", json::object()).empty()) State(o, "Last State", st["lastState"], "    ");
    o << "    " << Pad("Ready:", 18) << (st.value("ready", false) ? "True" : "False") << "\n";
    o << "    " << Pad("Restart Count:", 18) << st.value("restartCount", 0) << "\n";
    const json res = c.value("resources", json::object());
    for (const char* kind : {"limits", "requests"}) {
      if (!res.contains(kind)) continue;
      o << "    " << (std::string(kind) == "limits" ? "Limits:" : "Requests:") << "\n";
      for (auto it = res[kind].begin(); it != res[kind].end(); ++it) o << "      " << Pad(it.key() + ":", 10) << Scalar(it.value()) << "\n";
    }
    if (c.contains("livenessProbe")) o << "    " << Pad("Liveness:", 18) << ProbeText(c["livenessProbe"]) << "\n";
    if (c.contains("readinessProbe")) o << "    " << Pad("Readiness:", 18) << ProbeText(c["readinessProbe"]) << "\n";
    if (c.contains("startupProbe")) o << "    " << Pad("Startup:", 18) << ProbeText(c["startupProbe"]) << "\n";
    o << "    Environment:";
    if (!c.contains("env")) o << "  <none>";
    o << "\n";
    for (const auto& e : c.value("env", json::array())) {
      std::string v = e.contains("value") ? Scalar(e["value"]) : "";
      if (e.contains("valueFrom") && e["valueFrom"].contains("fieldRef")) {
        v = " (" + e["valueFrom"]["fieldRef"].value("apiVersion", "v1") + ":" + e["valueFrom"]["fieldRef"].value("fieldPath", "") + ")";
      } else if (e.contains("valueFrom") && e["valueFrom"].contains("resourceFieldRef")) {
        v = " (" + e["valueFrom"]["resourceFieldRef"].value("resource", "") + ")";
      }
      o << "      " << e.value("name", "") << ":" << (v.rfind(" (", 0) == 0 ? "" : "  ") << v << "\n";
    }
    o << "    Mounts:";
    if (!c.contains("volumeMounts")) o << "  <none>";
    o << "\n";
    for (const auto& m : c.value("volumeMounts", json::array())) {
      o << "      " << m.value("mountPath", "") << " from " << m.value("name", "") << " ("
        << (m.value("readOnly", false) ? "ro" : "rw") << (m.contains("subPath") ? ",path=\"" + m["subPath"].get<std::string>() + "\"" : "")
        << ")\n";
    }
  }
}

}  // namespace

std::string DescribePod(const json& pod, TimePoint now) {
  std::ostringstream o;
  const json md = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  const json st = pod.value("status", json::object());
  o << Pad("Name:", 18) << md.value("name", "") << "\n";
  o << Pad("Namespace:", 18) << md.value("namespace", "") << "\n";
  if (spec.contains("priority")) o << Pad("Priority:", 18) << spec["priority"].get<int>() << "\n";
  if (spec.contains("priorityClassName")) o << Pad("Priority Class Name:", 18) << Scalar(spec["priorityClassName"]) << "\n";
  o << Pad("Node:", 18) << spec.value("nodeName", "") << "/" << st.value("hostIP", "") << "\n";
  o << Pad("Start Time:", 18) << HumanTime(st.value("startTime", "")) << "\n";
  o << Pad("Labels:", 18);
  bool first = true;
  const json labels = md.value("labels", json::object());
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    o << (first ? "" : std::string(18, ' ')) << it.key() << "=" << Scalar(it.value()) << "\n";
    first = false;
  }
  if (first) o << "<none>\n";
  o << Pad("Annotations:", 18);
  first = true;
  const json annotations = md.value("annotations", json::object());
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    o << (first ? "" : std::string(18, ' ')) << it.key() << ": " << Scalar(it.value()) << "\n";
    first = false;
  }
  if (first) o << "<none>\n";
  std::string phase = st.value("phase", "");
  auto deleting = ParseTime(md.value("deletionTimestamp", ""));
  if (deleting && phase != "Failed" && phase != "Succeeded") {
    // kubectl: "Terminating (lasts 25s)" and the grace period while a removed pod's containers stop.
    o << Pad("Status:", 18) << "Terminating (lasts " << FormatAge(std::max<Duration>(*deleting - now, Duration{0}))
      << ")\n";
    o << Pad("Termination Grace Period:", 18) << md.value("deletionGracePeriodSeconds", 0) << "s\n";
  } else {
    o << Pad("Status:", 18) << phase << "\n";
  }
  if (!st.value("reason", "").empty()) o << Pad("Reason:", 18) << st.value("reason", "") << "\n";
  if (!st.value("message", "").empty()) o << Pad("Message:", 18) << st.value("message", "") << "\n";
  o << Pad("IP:", 18) << st.value("podIP", "") << "\n";
  o << "IPs:\n";
  for (const auto& ip : st.value("podIPs", json::array())) o << "  IP:  " << ip.value("ip", "") << "\n";
  Containers(o, "Init Containers", spec.value("initContainers", json::array()), st.value("initContainerStatuses", json::array()));
  Containers(o, "Containers", spec.value("containers", json::array()), st.value("containerStatuses", json::array()));
  if (spec.contains("ephemeralContainers")) {  // crilet debug's containers, while they run
    Containers(o, "Ephemeral Containers", spec["ephemeralContainers"], st.value("ephemeralContainerStatuses", json::array()));
  }
  o << "Conditions:\n  " << Pad("Type", 28) << "Status\n";
  for (const auto& c : st.value("conditions", json::array())) o << "  " << Pad(c.value("type", ""), 28) << c.value("status", "") << "\n";
  o << "Volumes:";
  if (!spec.contains("volumes")) o << "  <none>";
  o << "\n";
  for (const auto& v : spec.value("volumes", json::array())) {
    o << "  " << v.value("name", "") << ":\n";
    if (v.contains("emptyDir")) {
      o << "    " << Pad("Type:", 12) << "EmptyDir (a temporary directory that shares a pod's lifetime)\n";
      o << "    " << Pad("Medium:", 12) << v["emptyDir"].value("medium", "") << "\n";
      o << "    " << Pad("SizeLimit:", 12) << v["emptyDir"].value("sizeLimit", "<unset>") << "\n";
    } else if (v.contains("hostPath")) {
      o << "    " << Pad("Type:", 12) << "HostPath (bare host directory volume)\n";
      o << "    " << Pad("Path:", 12) << v["hostPath"].value("path", "") << "\n";
      o << "    " << Pad("HostPathType:", 12) << " " << v["hostPath"].value("type", "") << "\n";
      // crilet's SensitiveHostPath warning (cli/host_path_warnings.h) names the volume in its field path.
      for (const auto& e : pod.value("events", json::array())) {
        if (e.value("reason", "") != kSensitiveHostPathReason) continue;
        if (e.value("involvedObject", json::object()).value("fieldPath", "") != "spec.volumes{" + v.value("name", "") + "}") continue;
        o << "    " << Pad("Warning:", 12) << kSensitiveHostPathReason << ": " << e.value("message", "") << "\n";
      }
    } else if (v.contains("persistentVolumeClaim")) {
      const json& c = v["persistentVolumeClaim"];
      std::string claim = c.value("claimName", "");
      o << "    " << Pad("Type:", 12) << "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n";
      o << "    " << Pad("ClaimName:", 12) << claim << "\n";
      o << "    " << Pad("ReadOnly:", 12) << (c.value("readOnly", false) ? "true" : "false") << "\n";
      // The claim's binding, from /pvc (DescribeCommand adds it as "claims"): where the data lives.
      std::string bound = "<claim not found>";
      for (const auto& item : pod.value("claims", json::array())) {
        const json cm = item.value("metadata", json::object());
        if (cm.value("name", "") != claim || cm.value("namespace", "") != md.value("namespace", "default")) continue;
        const json st2 = item.value("status", json::object());
        const json ann = cm.value("annotations", json::object());
        bound = st2.value("phase", "") == "Bound"
                    ? ann.value("crilet.io/local-path", "") + " (volume " + item["spec"].value("volumeName", "") + ")"
                    : "<Pending: " + ann.value("crilet.io/pending-message", "") + ">";
      }
      o << "    " << Pad("Path:", 12) << bound << "\n";
    } else if (v.contains("configMap")) {
      const json& c = v["configMap"];
      o << "    " << Pad("Type:", 12) << "ConfigMap (a volume populated by a ConfigMap)\n";
      o << "    " << Pad("Name:", 12) << c.value("name", "") << "\n";
      o << "    " << Pad("Optional:", 12) << (c.value("optional", false) ? "true" : "false") << "\n";
    } else if (v.contains("secret")) {
      const json& c = v["secret"];
      o << "    " << Pad("Type:", 13) << "Secret (a volume populated by a Secret)\n";
      o << "    " << Pad("SecretName:", 13) << c.value("secretName", "") << "\n";
      o << "    " << Pad("Optional:", 13) << (c.value("optional", false) ? "true" : "false") << "\n";
    } else if (v.contains("downwardAPI")) {
      o << "    " << Pad("Type:", 12) << "DownwardAPI (a volume populated by information about the pod)\n";
      o << "    Items:\n";
      for (const auto& item : v["downwardAPI"].value("items", json::array())) {
        std::string from = item.contains("fieldRef") ? item["fieldRef"].value("fieldPath", "")
                                                      : item.value("resourceFieldRef", json::object()).value("resource", "");
        o << "      " << from << " -> " << item.value("path", "") << "\n";
      }
    } else if (v.contains("projected")) {
      o << "    " << Pad("Type:", 24) << "Projected (a volume that contains injected data from multiple sources)\n";
      auto optional = [](const json& src) {
        return src.contains("optional") ? (src["optional"].get<bool>() ? "true" : "false") : "<nil>";
      };
      for (const auto& src : v["projected"].value("sources", json::array())) {
        if (src.contains("secret")) {
          o << "    " << Pad("SecretName:", 24) << src["secret"].value("name", "") << "\n";
          o << "    " << Pad("SecretOptionalName:", 24) << optional(src["secret"]) << "\n";
        } else if (src.contains("downwardAPI")) {
          o << "    " << Pad("DownwardAPI:", 24) << "true\n";
        } else if (src.contains("configMap")) {
          o << "    " << Pad("ConfigMapName:", 24) << src["configMap"].value("name", "") << "\n";
          o << "    " << Pad("ConfigMapOptional:", 24) << optional(src["configMap"]) << "\n";
        }
      }
    }
  }
  if (st.contains("qosClass")) o << Pad("QoS Class:", 18) << Scalar(st["qosClass"]) << "\n";
  o << FormatEventTable(AggregateEvents(pod.value("events", json::array())), now);
  return o.str();
}

int DescribeCommand(int argc, char** argv) {
  CLI::App app{"crilet describe pod: a pod in detail, with its recent events (like kubectl describe)."};
  app.name("crilet describe");
  std::string what, pod, ns = "default", server = DefaultServer();
  app.add_option("resource", what, "pod")->required()->check(CLI::IsMember({"pod", "pods", "po"}));
  app.add_option("name", pod, "pod name")->required();
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  json j;
  if (Status s = FindPod(server, ns, pod, "?events=1", &j); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  json claims;
  if (GetJson(server, "/pvc", &claims).ok() && claims.contains("items")) j["claims"] = claims["items"];
  AddEphemeralContainers(server, &j);
  std::cout << DescribePod(j, std::chrono::system_clock::now());
  return 0;
}

}  // namespace crilet::cli
