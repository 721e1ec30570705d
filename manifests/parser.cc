// Pod v1 field names -> the Pod model, through YamlReader (the input limits are in yaml_guard.cc).
#include "manifests/parser.h"

#include "manifests/local_object_reader.h"

#include <yaml-cpp/yaml.h>

#include "manifests/yaml_guard.h"
#include "manifests/yaml_reader.h"

namespace crilet::manifests {
namespace {

using R = YamlReader;
using Node = YAML::Node;

// PodSpec fields that mean nothing on a single node without an API server: accepted quietly.
bool Ignored(const std::string& key) {
  return key == "enableServiceLinks" || key == "schedulerName" || key == "preemptionPolicy" ||
         key == "automountServiceAccountToken" || key == "overhead" || key == "topologySpreadConstraints" ||
         key == "os" || key == "schedulingGates";
}

// PodSpec fields that would change how the pod runs, which crilet does not implement: a warning says so.
bool Unsupported(const std::string& key) {
  return key == "runtimeClassName" || key == "readinessGates" || key == "setHostnameAsFQDN" ||
         key == "resources";  // pod-level resources (PodLevelResources)
}

// Volume sources that need an API server (kubelet's PreventStaticPodAPIReferences, podutil.HasAPIObjectReference).
bool ApiVolume(const std::string& key) {
  return key == "ephemeral" ||
         key == "csi" || key == "azureFile" || key == "glusterfs";
}

// Other volume sources of the v1 API: valid for kubelet, not implemented by crilet.
bool OtherVolume(const std::string& key) {
  static const char* kKinds[] = {"awsElasticBlockStore", "azureDisk", "cephfs", "cinder", "fc",
                                 "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "image", "iscsi", "nfs",
                                 "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos",
                                 "vsphereVolume"};
  for (const char* k : kKinds) {
    if (key == k) return true;
  }
  return false;
}

std::vector<NodeSelectorRequirement> ReadRequirements(R& r, const Node& n, const std::string& path) {
  std::vector<NodeSelectorRequirement> out;
  r.List(n, path, [&](const Node& x, const std::string& xp) {
    NodeSelectorRequirement req;
    r.Fields(x, xp, [&](const std::string& k, const Node& v, const std::string& p) {
      if (k == "key") req.key = r.Str(v, p);
      else if (k == "operator") req.operator_ = r.Str(v, p);
      else if (k == "values") req.values = r.Strings(v, p);
      else return false;
      return true;
    });
    out.push_back(std::move(req));
  });
  return out;
}

// spec.affinity: nodeAffinity's required terms are read (kubelet admits pods by them); the rest only steers
// a scheduler and is accepted as it is.
Affinity ReadAffinity(R& r, const Node& n, const std::string& path) {
  Affinity a;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "nodeAffinity") {
      NodeAffinity na;
      r.Fields(v, p, [&](const std::string& nk, const Node& x, const std::string& xp) {
        if (nk == "requiredDuringSchedulingIgnoredDuringExecution") {
          std::vector<NodeSelectorTerm> terms;
          r.Fields(x, xp, [&](const std::string& tk, const Node& y, const std::string& yp) {
            if (tk != "nodeSelectorTerms") return false;
            r.List(y, yp, [&](const Node& t, const std::string& tp) {
              NodeSelectorTerm term;
              r.Fields(t, tp, [&](const std::string& mk, const Node& m, const std::string& mp) {
                if (mk == "matchExpressions") term.match_expressions = ReadRequirements(r, m, mp);
                else if (mk == "matchFields") term.match_fields = ReadRequirements(r, m, mp);
                else return false;
                return true;
              });
              terms.push_back(std::move(term));
            });
            return true;
          });
          na.required_terms = std::move(terms);
        } else if (nk == "preferredDuringSchedulingIgnoredDuringExecution") {
          // a scheduler's preference: nothing to do on the node
        } else return false;
        return true;
      });
      a.node_affinity = std::move(na);
    } else if (k == "podAffinity" || k == "podAntiAffinity") {
      // about other pods' placement: a scheduler's business
    } else return false;
    return true;
  });
  return a;
}

ExecAction ReadExec(R& r, const Node& n, const std::string& path) {
  ExecAction e;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "command") e.command = r.Strings(v, p);
    else return false;
    return true;
  });
  return e;
}

HttpGetAction ReadHttpGet(R& r, const Node& n, const std::string& path) {
  HttpGetAction h;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "path") h.path = r.Str(v, p);
    else if (k == "port") { if (auto port = r.Port(v, p)) h.port = *port; }
    else if (k == "host") h.host = r.Str(v, p);
    else if (k == "scheme") h.scheme = r.Str(v, p);
    else if (k == "httpHeaders") {
      r.List(v, p, [&](const Node& hv, const std::string& hp) {
        HttpHeader header;
        r.Fields(hv, hp, [&](const std::string& hk, const Node& x, const std::string& xp) {
          if (hk == "name") header.name = r.Str(x, xp);
          else if (hk == "value") header.value = r.Str(x, xp);
          else return false;
          return true;
        });
        h.http_headers.push_back(header);
      });
    } else return false;
    return true;
  });
  return h;
}

TcpSocketAction ReadTcp(R& r, const Node& n, const std::string& path) {
  TcpSocketAction t;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "port") { if (auto port = r.Port(v, p)) t.port = *port; }
    else if (k == "host") t.host = r.Str(v, p);
    else return false;
    return true;
  });
  return t;
}

Probe ReadProbe(R& r, const Node& n, const std::string& path) {
  Probe probe;
  probe.timeout_seconds = 0;  // 0 = unset; defaults fill in
  probe.period_seconds = 0;
  probe.success_threshold = 0;
  probe.failure_threshold = 0;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    auto i32 = [&](int32_t* out, int64_t min) {
      if (auto x = r.Int(v, p, min, INT32_MAX)) *out = static_cast<int32_t>(*x);
    };
    if (k == "exec") probe.handler.exec = ReadExec(r, v, p);
    else if (k == "httpGet") probe.handler.http_get = ReadHttpGet(r, v, p);
    else if (k == "tcpSocket") probe.handler.tcp_socket = ReadTcp(r, v, p);
    else if (k == "grpc") {
      GrpcAction g;
      r.Fields(v, p, [&](const std::string& gk, const Node& x, const std::string& xp) {
        if (gk == "port") { if (auto port = r.Int(x, xp, 1, 65535)) g.port = static_cast<int32_t>(*port); }
        else if (gk == "service") g.service = r.Str(x, xp);
        else return false;
        return true;
      });
      probe.handler.grpc = g;
    } else if (k == "initialDelaySeconds") i32(&probe.initial_delay_seconds, 0);
    else if (k == "timeoutSeconds") i32(&probe.timeout_seconds, 1);
    else if (k == "periodSeconds") i32(&probe.period_seconds, 1);
    else if (k == "successThreshold") i32(&probe.success_threshold, 1);
    else if (k == "failureThreshold") i32(&probe.failure_threshold, 1);
    else if (k == "terminationGracePeriodSeconds") probe.termination_grace_period_seconds = r.Int(v, p, 1, INT32_MAX);
    else return false;
    return true;
  });
  return probe;
}

LifecycleHandler ReadHandler(R& r, const Node& n, const std::string& path) {
  LifecycleHandler h;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "exec") h.exec = ReadExec(r, v, p);
    else if (k == "httpGet") h.http_get = ReadHttpGet(r, v, p);
    else if (k == "tcpSocket") h.tcp_socket = ReadTcp(r, v, p);
    else if (k == "sleep") {
      SleepAction s;
      r.Fields(v, p, [&](const std::string& sk, const Node& x, const std::string& xp) {
        if (sk == "seconds") { if (auto sec = r.Int(x, xp, 0, INT32_MAX)) s.seconds = *sec; }
        else return false;
        return true;
      });
      h.sleep = s;
    } else return false;
    return true;
  });
  return h;
}

SeccompProfile ReadSeccomp(R& r, const Node& n, const std::string& path) {
  SeccompProfile s;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "type") s.type = r.Str(v, p);
    else if (k == "localhostProfile") s.localhost_profile = r.Str(v, p);
    else return false;
    return true;
  });
  return s;
}

SecurityContext ReadSecurityContext(R& r, const Node& n, const std::string& path) {
  SecurityContext sc;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "privileged") sc.privileged = r.Bool(v, p);
    else if (k == "capabilities") {
      Capabilities caps;
      r.Fields(v, p, [&](const std::string& ck, const Node& x, const std::string& xp) {
        if (ck == "add") caps.add = r.Strings(x, xp);
        else if (ck == "drop") caps.drop = r.Strings(x, xp);
        else return false;
        return true;
      });
      sc.capabilities = caps;
    } else if (k == "readOnlyRootFilesystem") sc.read_only_root_filesystem = r.Bool(v, p);
    else if (k == "allowPrivilegeEscalation") sc.allow_privilege_escalation = r.Bool(v, p);
    else if (k == "runAsNonRoot") sc.run_as_non_root = r.Bool(v, p);
    else if (k == "runAsUser") sc.run_as_user = r.Int(v, p, 0, INT32_MAX);
    else if (k == "runAsGroup") sc.run_as_group = r.Int(v, p, 0, INT32_MAX);
    else if (k == "seccompProfile") sc.seccomp_profile = ReadSeccomp(r, v, p);
    else if (k == "procMount") sc.proc_mount = r.Str(v, p);
    else if (k == "seLinuxOptions" || k == "appArmorProfile" || k == "windowsOptions") {
      r.Warn(v, p, "not supported by crilet, ignored");
    } else return false;
    return true;
  });
  return sc;
}

// configMapKeyRef/secretKeyRef (with `key`), or envFrom's configMapRef/secretRef (without).
KeySelector ReadKeySelector(R& r, const Node& n, const std::string& path, bool with_key) {
  KeySelector s;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    r.Mark(p, v);
    if (k == "name") s.name = r.Str(v, p);
    else if (k == "key" && with_key) s.key = r.Str(v, p);
    else if (k == "optional") s.optional = r.Bool(v, p);
    else return false;
    return true;
  });
  return s;
}

EnvVar ReadEnv(R& r, const Node& n, const std::string& path) {
  EnvVar e;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "name") e.name = r.Str(v, p);
    else if (k == "value") e.value = r.Str(v, p);
    else if (k == "valueFrom") {
      r.Fields(v, p, [&](const std::string& vk, const Node& x, const std::string& xp) {
        if (vk == "fieldRef") {
          ObjectFieldSelector f;
          r.Fields(x, xp, [&](const std::string& fk, const Node& y, const std::string& yp) {
            if (fk == "fieldPath") f.field_path = r.Str(y, yp);
            else if (fk == "apiVersion") f.api_version = r.Str(y, yp);
            else return false;
            return true;
          });
          e.field_ref = f;
        } else if (vk == "resourceFieldRef") {
          ResourceFieldSelector f;
          r.Fields(x, xp, [&](const std::string& fk, const Node& y, const std::string& yp) {
            if (fk == "containerName") f.container_name = r.Str(y, yp);
            else if (fk == "resource") f.resource = r.Str(y, yp);
            else if (fk == "divisor") f.divisor = r.Qty(y, yp);
            else return false;
            return true;
          });
          e.resource_field_ref = f;
        } else if (vk == "configMapKeyRef" || vk == "secretKeyRef") {
          (vk == "configMapKeyRef" ? e.config_map_key_ref : e.secret_key_ref) = ReadKeySelector(r, x, xp, true);
        } else {
          // An env source crilet cannot resolve (fileKeyRef, or one from a newer API) must not become an
          // empty variable: the pod is refused.
          r.Error(x, xp, vk + " is not supported by crilet; use value, fieldRef or resourceFieldRef");
        }
        return true;
      });
    } else return false;
    return true;
  });
  return e;
}

Container ReadContainer(R& r, const Node& n, const std::string& path, bool init) {
  Container c;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "name") c.name = r.Str(v, p);
    else if (k == "image") c.image = r.Str(v, p);
    else if (k == "imagePullPolicy") c.image_pull_policy = r.Str(v, p);
    else if (k == "command") c.command = r.Strings(v, p);
    else if (k == "args") c.args = r.Strings(v, p);
    else if (k == "workingDir") c.working_dir = r.Str(v, p);
    else if (k == "ports") {
      r.List(v, p, [&](const Node& pv, const std::string& pp) {
        ContainerPort port;
        r.Fields(pv, pp, [&](const std::string& pk, const Node& x, const std::string& xp) {
          if (pk == "name") port.name = r.Str(x, xp);
          else if (pk == "containerPort") { if (auto cp = r.Int(x, xp, 1, 65535)) port.container_port = static_cast<int32_t>(*cp); }
          else if (pk == "hostPort") { if (auto hp = r.Int(x, xp, 0, 65535)) port.host_port = static_cast<int32_t>(*hp); }
          else if (pk == "protocol") port.protocol = r.Str(x, xp);
          else if (pk == "hostIP") port.host_ip = r.Str(x, xp);
          else return false;
          return true;
        });
        c.ports.push_back(port);
      });
    } else if (k == "env") {
      r.List(v, p, [&](const Node& ev, const std::string& ep) { c.env.push_back(ReadEnv(r, ev, ep)); });
    } else if (k == "envFrom") {
      r.List(v, p, [&](const Node& ev, const std::string& ep) {
        EnvFromSource from;
        r.Mark(ep, ev);
        r.Fields(ev, ep, [&](const std::string& fk, const Node& x, const std::string& xp) {
          if (fk == "prefix") from.prefix = r.Str(x, xp);
          else if (fk == "configMapRef") from.config_map_ref = ReadKeySelector(r, x, xp, false);
          else if (fk == "secretRef") from.secret_ref = ReadKeySelector(r, x, xp, false);
          else return false;
          return true;
        });
        c.env_from.push_back(std::move(from));
      });
    } else if (k == "resources") {
      r.Fields(v, p, [&](const std::string& rk, const Node& x, const std::string& xp) {
        if (rk != "requests" && rk != "limits") {
          if (rk == "claims") {
            r.Error(x, xp, "static pods cannot reference API objects (resource claims)");
            return true;
          }
          return false;
        }
        auto& table = rk == "requests" ? c.resources.requests : c.resources.limits;
        r.Fields(x, xp, [&](const std::string& name, const Node& q, const std::string& qp) {
          if (auto quantity = r.Qty(q, qp)) table[name] = *quantity;
          return true;
        });
        return true;
      });
    } else if (k == "volumeMounts") {
      r.List(v, p, [&](const Node& mv, const std::string& mp) {
        VolumeMount m;
        r.Fields(mv, mp, [&](const std::string& mk, const Node& x, const std::string& xp) {
          if (mk == "name") m.name = r.Str(x, xp);
          else if (mk == "mountPath") m.mount_path = r.Str(x, xp);
          else if (mk == "subPath") m.sub_path = r.Str(x, xp);
          else if (mk == "readOnly") m.read_only = r.Bool(x, xp);
          else if (mk == "mountPropagation") m.mount_propagation = r.Str(x, xp);
          else if (mk == "subPathExpr" || mk == "recursiveReadOnly") r.Warn(x, xp, "not supported by crilet, ignored");
          else return false;
          return true;
        });
        c.volume_mounts.push_back(m);
      });
    } else if (k == "livenessProbe") c.liveness_probe = ReadProbe(r, v, p);
    else if (k == "readinessProbe") c.readiness_probe = ReadProbe(r, v, p);
    else if (k == "startupProbe") c.startup_probe = ReadProbe(r, v, p);
    else if (k == "lifecycle") {
      Lifecycle l;
      r.Fields(v, p, [&](const std::string& lk, const Node& x, const std::string& xp) {
        if (lk == "postStart") l.post_start = ReadHandler(r, x, xp);
        else if (lk == "preStop") l.pre_stop = ReadHandler(r, x, xp);
        else if (lk == "stopSignal") r.Warn(x, xp, "not supported by crilet, ignored");
        else return false;
        return true;
      });
      c.lifecycle = l;
    } else if (k == "terminationMessagePath") c.termination_message_path = r.Str(v, p);
    else if (k == "terminationMessagePolicy") c.termination_message_policy = r.Str(v, p);
    else if (k == "securityContext") c.security_context = ReadSecurityContext(r, v, p);
    else if (k == "stdin") c.stdin = r.Bool(v, p);
    else if (k == "stdinOnce") c.stdin_once = r.Bool(v, p);
    else if (k == "tty") c.tty = r.Bool(v, p);
    else if (k == "restartPolicy") c.restart_policy = r.Str(v, p);
    else if (k == "resizePolicy" || k == "volumeDevices" || k == "restartPolicyRules") {
      r.Warn(v, p, "not supported by crilet, ignored");
    } else return false;
    return true;
  });
  (void)init;
  return c;
}

std::optional<int32_t> ReadMode(R& r, const Node& n, const std::string& path) {
  auto v = r.Int(n, path, INT32_MIN, INT32_MAX);
  if (!v) return std::nullopt;
  return static_cast<int32_t>(*v);
}

std::vector<KeyToPath> ReadItems(R& r, const Node& n, const std::string& path) {
  std::vector<KeyToPath> out;
  r.List(n, path, [&](const Node& x, const std::string& xp) {
    KeyToPath k;
    r.Fields(x, xp, [&](const std::string& f, const Node& v, const std::string& p) {
      if (f == "key") k.key = r.Str(v, p);
      else if (f == "path") k.path = r.Str(v, p);
      else if (f == "mode") k.mode = ReadMode(r, v, p);
      else return false;
      return true;
    });
    out.push_back(std::move(k));
  });
  return out;
}

// A configMap or secret source: `name_key` is "name" (configMap, projected secret) or "secretName".
template <typename T>
T ReadKeySource(R& r, const Node& n, const std::string& path, const char* name_key, std::optional<int32_t>* def) {
  T out;
  r.Fields(n, path, [&](const std::string& f, const Node& v, const std::string& p) {
    if (f == name_key) out.name = r.Str(v, p);
    else if (f == "items") out.items = ReadItems(r, v, p);
    else if (f == "optional") out.optional = r.Bool(v, p);
    else if (def && f == "defaultMode") *def = ReadMode(r, v, p);
    else return false;
    return true;
  });
  return out;
}

DownwardApiProjection ReadDownward(R& r, const Node& n, const std::string& path, std::optional<int32_t>* def) {
  DownwardApiProjection out;
  r.Fields(n, path, [&](const std::string& f, const Node& v, const std::string& p) {
    if (f == "items") {
      r.List(v, p, [&](const Node& x, const std::string& xp) {
        DownwardApiFile file;
        r.Fields(x, xp, [&](const std::string& g, const Node& y, const std::string& yp) {
          if (g == "path") file.path = r.Str(y, yp);
          else if (g == "mode") file.mode = ReadMode(r, y, yp);
          else if (g == "fieldRef") {
            r.Fields(y, yp, [&](const std::string& h, const Node& z, const std::string& zp) {
              if (h == "fieldPath") file.field_path = r.Str(z, zp);
              else if (h == "apiVersion") r.Str(z, zp);
              else return false;
              return true;
            });
          } else if (g == "resourceFieldRef") {
            r.Fields(y, yp, [&](const std::string& h, const Node& z, const std::string& zp) {
              if (h == "containerName") file.container_name = r.Str(z, zp);
              else if (h == "resource") file.resource = r.Str(z, zp);
              else if (h == "divisor") file.divisor = r.Qty(z, zp);
              else return false;
              return true;
            });
          } else return false;
          return true;
        });
        out.items.push_back(std::move(file));
      });
    } else if (def && f == "defaultMode") *def = ReadMode(r, v, p);
    else return false;
    return true;
  });
  return out;
}

ObjectVolumeSource ReadProjected(R& r, const Node& n, const std::string& path) {
  ObjectVolumeSource out;
  out.kind = ObjectVolumeSource::Kind::kProjected;
  r.Fields(n, path, [&](const std::string& f, const Node& v, const std::string& p) {
    if (f == "defaultMode") out.default_mode = ReadMode(r, v, p);
    else if (f == "sources") {
      r.List(v, p, [&](const Node& x, const std::string& xp) {
        VolumeProjection src;
        r.Fields(x, xp, [&](const std::string& g, const Node& y, const std::string& yp) {
          if (g == "configMap") src.config_map = ReadKeySource<ConfigMapProjection>(r, y, yp, "name", nullptr);
          else if (g == "secret") src.secret = ReadKeySource<SecretProjection>(r, y, yp, "name", nullptr);
          else if (g == "downwardAPI") src.downward_api = ReadDownward(r, y, yp, nullptr);
          else if (g == "serviceAccountToken" || g == "clusterTrustBundle" || g == "podCertificate") {
            r.Error(y, yp, "static pods cannot reference API objects (" + g + " in a projected volume)");
          } else return false;
          return true;
        });
        out.sources.push_back(std::move(src));
      });
    } else return false;
    return true;
  });
  return out;
}

Volume ReadVolume(R& r, const Node& n, const std::string& path) {
  Volume vol;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "name") vol.name = r.Str(v, p);
    else if (k == "emptyDir") {
      EmptyDirVolumeSource e;
      r.Fields(v, p, [&](const std::string& ek, const Node& x, const std::string& xp) {
        if (ek == "medium") e.medium = r.Str(x, xp);
        else if (ek == "sizeLimit") e.size_limit = r.Qty(x, xp);
        else return false;
        return true;
      });
      vol.empty_dir = e;
    } else if (k == "hostPath") {
      HostPathVolumeSource h;
      r.Fields(v, p, [&](const std::string& hk, const Node& x, const std::string& xp) {
        if (hk == "path") h.path = r.Str(x, xp);
        else if (hk == "type") h.type = r.Str(x, xp);
        else return false;
        return true;
      });
      vol.host_path = h;
    } else if (k == "persistentVolumeClaim") {
      PersistentVolumeClaimVolumeSource c;
      r.Fields(v, p, [&](const std::string& ck, const Node& x, const std::string& xp) {
        if (ck == "claimName") c.claim_name = r.Str(x, xp);
        else if (ck == "readOnly") c.read_only = r.Bool(x, xp);
        else return false;
        return true;
      });
      vol.persistent_volume_claim = c;
    } else if (ApiVolume(k)) {
      r.Error(v, p, "static pods cannot reference API objects (" + k + " volume); use hostPath or emptyDir");
    } else if (k == "configMap" || k == "secret" || k == "downwardAPI" || k == "projected") {
      ObjectVolumeSource o;
      if (k == "projected") {
        o = ReadProjected(r, v, p);
      } else {
        VolumeProjection src;
        if (k == "configMap") {
          o.kind = ObjectVolumeSource::Kind::kConfigMap;
          src.config_map = ReadKeySource<ConfigMapProjection>(r, v, p, "name", &o.default_mode);
        } else if (k == "secret") {
          o.kind = ObjectVolumeSource::Kind::kSecret;
          src.secret = ReadKeySource<SecretProjection>(r, v, p, "secretName", &o.default_mode);
        } else {
          o.kind = ObjectVolumeSource::Kind::kDownwardApi;
          src.downward_api = ReadDownward(r, v, p, &o.default_mode);
        }
        o.sources.push_back(std::move(src));
      }
      for (const auto& e : ValidateObjectVolume(o, p)) r.Error(v, e.path, e.message);
      vol.object = std::move(o);
    } else if (OtherVolume(k)) {
      r.Error(v, p, k + " volumes are not supported by crilet; use hostPath or emptyDir");
    } else return false;
    return true;
  });
  return vol;
}

PodSecurityContext ReadPodSecurityContext(R& r, const Node& n, const std::string& path) {
  PodSecurityContext sc;
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "runAsUser") sc.run_as_user = r.Int(v, p, 0, INT32_MAX);
    else if (k == "runAsGroup") sc.run_as_group = r.Int(v, p, 0, INT32_MAX);
    else if (k == "runAsNonRoot") sc.run_as_non_root = r.Bool(v, p);
    else if (k == "fsGroup") sc.fs_group = r.Int(v, p, 0, INT32_MAX);
    else if (k == "supplementalGroups") {
      r.List(v, p, [&](const Node& g, const std::string& gp) {
        if (auto id = r.Int(g, gp, 0, INT32_MAX)) sc.supplemental_groups.push_back(*id);
      });
    } else if (k == "sysctls") {
      r.List(v, p, [&](const Node& s, const std::string& sp) {
        Sysctl sysctl;
        r.Fields(s, sp, [&](const std::string& sk, const Node& x, const std::string& xp) {
          if (sk == "name") sysctl.name = r.Str(x, xp);
          else if (sk == "value") sysctl.value = r.Str(x, xp);
          else return false;
          return true;
        });
        sc.sysctls.push_back(sysctl);
      });
    } else if (k == "seccompProfile") sc.seccomp_profile = ReadSeccomp(r, v, p);
    else if (k == "fsGroupChangePolicy") sc.fs_group_change_policy = r.Str(v, p);
    else if (k == "seLinuxOptions" || k == "supplementalGroupsPolicy" ||
             k == "appArmorProfile" || k == "windowsOptions" || k == "seLinuxChangePolicy") {
      r.Warn(v, p, "not supported by crilet, ignored");
    } else return false;
    return true;
  });
  return sc;
}

void ReadSpec(R& r, const Node& n, const std::string& path, PodSpec* spec) {
  r.Fields(n, path, [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "containers") {
      r.List(v, p, [&](const Node& c, const std::string& cp) { spec->containers.push_back(ReadContainer(r, c, cp, false)); });
    } else if (k == "initContainers") {
      r.List(v, p, [&](const Node& c, const std::string& cp) { spec->init_containers.push_back(ReadContainer(r, c, cp, true)); });
    } else if (k == "ephemeralContainers") {
      r.Error(v, p, "ephemeral containers cannot be declared in a manifest");
    } else if (k == "volumes") {
      r.List(v, p, [&](const Node& vol, const std::string& vp) { spec->volumes.push_back(ReadVolume(r, vol, vp)); });
    } else if (k == "restartPolicy") spec->restart_policy = r.Str(v, p);
    else if (k == "terminationGracePeriodSeconds") spec->termination_grace_period_seconds = r.Int(v, p, 0, INT32_MAX);
    else if (k == "activeDeadlineSeconds") spec->active_deadline_seconds = r.Int(v, p, 1, INT32_MAX);
    else if (k == "dnsPolicy") spec->dns_policy = r.Str(v, p);
    else if (k == "dnsConfig") {
      PodDnsConfig d;
      r.Fields(v, p, [&](const std::string& dk, const Node& x, const std::string& xp) {
        if (dk == "nameservers") d.nameservers = r.Strings(x, xp);
        else if (dk == "searches") d.searches = r.Strings(x, xp);
        else if (dk == "options") {
          r.List(x, xp, [&](const Node& o, const std::string& op) {
            PodDnsConfigOption opt;
            r.Fields(o, op, [&](const std::string& ok, const Node& y, const std::string& yp) {
              if (ok == "name") opt.name = r.Str(y, yp);
              else if (ok == "value") opt.value = r.Str(y, yp);
              else return false;
              return true;
            });
            d.options.push_back(opt);
          });
        } else return false;
        return true;
      });
      spec->dns_config = d;
    } else if (k == "hostAliases") {
      r.List(v, p, [&](const Node& a, const std::string& ap) {
        HostAlias alias;
        r.Fields(a, ap, [&](const std::string& ak, const Node& x, const std::string& xp) {
          if (ak == "ip") alias.ip = r.Str(x, xp);
          else if (ak == "hostnames") alias.hostnames = r.Strings(x, xp);
          else return false;
          return true;
        });
        spec->host_aliases.push_back(alias);
      });
    } else if (k == "hostNetwork") spec->host_network = r.Bool(v, p);
    else if (k == "hostPID") spec->host_pid = r.Bool(v, p);
    else if (k == "hostIPC") spec->host_ipc = r.Bool(v, p);
    else if (k == "shareProcessNamespace") spec->share_process_namespace = r.Bool(v, p);
    else if (k == "hostname") spec->hostname = r.Str(v, p);
    else if (k == "subdomain") spec->subdomain = r.Str(v, p);
    else if (k == "nodeName") spec->node_name = r.Str(v, p);
    else if (k == "securityContext") spec->security_context = ReadPodSecurityContext(r, v, p);
    else if (k == "priority") { if (auto x = r.Int(v, p, INT32_MIN, INT32_MAX)) spec->priority = static_cast<int32_t>(*x); }
    else if (k == "priorityClassName") spec->priority_class_name = r.Str(v, p);
    else if (k == "hostUsers") {
      // Never ignored: a pod that asks for its own user namespace must not run with the host's users.
      if (!r.Bool(v, p)) {
        r.Error(v, p, "false needs a user namespace, which crilet cannot give: containerd 1.6's CRI has no "
                      "user namespace support; remove hostUsers or set it to true");
      }
    }
    else if (k == "serviceAccountName" || k == "serviceAccount") {
      // Kubelet refuses static pods naming a service account (PreventStaticPodAPIReferences, on since 1.34).
      if (!r.Str(v, p).empty()) r.Error(v, p, "static pods cannot reference API objects (" + k + ")");
    } else if (k == "imagePullSecrets") {
      // crilet departs from kubelet here: the named Secrets are local documents (docs/manifests.md).
      r.List(v, p, [&](const Node& s, const std::string& sp) {
        std::string name;
        r.Fields(s, sp, [&](const std::string& sk, const Node& x, const std::string& xp) {
          if (sk != "name") return false;
          name = r.Str(x, xp);
          return true;
        });
        spec->image_pull_secrets.push_back(name);
      });
    }
    else if (k == "resourceClaims") r.Error(v, p, "static pods cannot reference API objects (resourceClaims)");
    else if (k == "nodeSelector") spec->node_selector = r.StringMap(v, p);
    else if (k == "affinity") spec->affinity = ReadAffinity(r, v, p);
    else if (k == "tolerations") {
      r.List(v, p, [&](const Node& t, const std::string& tp) {
        Toleration tol;
        r.Fields(t, tp, [&](const std::string& tk, const Node& x, const std::string& xp) {
          if (tk == "key") tol.key = r.Str(x, xp);
          else if (tk == "operator") tol.operator_ = r.Str(x, xp);
          else if (tk == "value") tol.value = r.Str(x, xp);
          else if (tk == "effect") tol.effect = r.Str(x, xp);
          else if (tk == "tolerationSeconds") tol.toleration_seconds = r.Int(x, xp, INT64_MIN, INT64_MAX);
          else return false;
          return true;
        });
        spec->tolerations.push_back(tol);
      });
    } else if (Ignored(k)) {
      // accepted and meaningless on a single node
    } else if (Unsupported(k)) {
      r.Warn(v, p, "not supported by crilet, ignored");
    } else return false;
    return true;
  });
}

void ReadPod(R& r, const Node& n, ParsedDocument* doc) {
  Pod& pod = doc->pod;
  r.Fields(n, "", [&](const std::string& k, const Node& v, const std::string& p) {
    if (k == "apiVersion") pod.api_version = r.Str(v, p);
    else if (k == "kind") pod.kind = r.Str(v, p);
    else if (k == "metadata") {
      r.Fields(v, p, [&](const std::string& mk, const Node& x, const std::string& xp) {
        if (mk == "name") pod.metadata.name = r.Str(x, xp);
        else if (mk == "namespace") pod.metadata.namespace_ = r.Str(x, xp);
        else if (mk == "uid") pod.metadata.uid = r.Str(x, xp);
        else if (mk == "labels") pod.metadata.labels = r.StringMap(x, xp);
        else if (mk == "annotations") pod.metadata.annotations = r.StringMap(x, xp);
        else if (mk == "generateName" || mk == "creationTimestamp" || mk == "resourceVersion" ||
                 mk == "generation" || mk == "managedFields" || mk == "selfLink" || mk == "ownerReferences" ||
                 mk == "finalizers" || mk == "deletionTimestamp" || mk == "deletionGracePeriodSeconds") {
          // API-server bookkeeping; meaningless in a manifest
        } else return false;
        return true;
      });
    } else if (k == "spec") ReadSpec(r, v, p, &pod.spec);
    else if (k == "status") {
      // a copied `kubectl get -o yaml` carries status; kubelet ignores it too
    } else return false;
    return true;
  });
}

}  // namespace

std::string ScalarField(const YAML::Node& map, const std::string& key) {
  // On a const node a missing key yields an invalid node whose IsScalar() throws; IsDefined() does not.
  if (!map.IsDefined() || !map.IsMap()) return "";
  const YAML::Node v = map[key];
  return v.IsDefined() && v.IsScalar() ? v.Scalar() : "";
}

namespace {

// Reads one Pod document; a document of another kind or apiVersion is refused before its fields are read
// (a Deployment's fields would only add noise).
ParsedDocument ReadDocument(const Node& n, const std::string& file, int index) {
  ParsedDocument d;
  d.line = YamlReader::Line(n);
  d.pod.source.document = index;
  if (!n.IsMap()) {
    d.errors.push_back(FieldError{file, d.line, "", "must be an object (a Pod), not " +
                                                        std::string(n.IsSequence() ? "a list" : "a scalar")});
    return d;
  }
  std::string kind = ScalarField(n, "kind");
  std::string api = ScalarField(n, "apiVersion");
  if (IsLocalObjectKind(kind) && (api.empty() || api == "v1")) {
    if (api.empty()) {
      d.errors.push_back(FieldError{file, d.line, "apiVersion", "required (v1)"});
      return d;
    }
    LocalObjectDocument o = ReadLocalObject(n, file);
    d.errors = std::move(o.errors);
    d.warnings = std::move(o.warnings);
    d.config_map = std::move(o.config_map);
    d.secret = std::move(o.secret);
    d.claim = std::move(o.claim);
    d.persistent_volume = std::move(o.persistent_volume);
    return d;
  }
  if (!kind.empty() && kind != "Pod" && !IsLocalObjectKind(kind)) {
    d.errors.push_back(FieldError{file, YamlReader::Line(n["kind"]), "kind",
                                  "unknown kind \"" + kind + "\": a static pod manifest holds kind Pod, ConfigMap, Secret, PersistentVolumeClaim or PersistentVolume"});
  }
  if (!api.empty() && api != "v1") {
    d.errors.push_back(FieldError{file, YamlReader::Line(n["apiVersion"]), "apiVersion",
                                  "unsupported \"" + api + "\": a static pod is apiVersion v1"});
  }
  // Validation names a missing apiVersion/kind, but it only sees documents that parsed: say it beside the
  // other errors too, so one run shows everything to fix.
  auto missing_type_meta = [&](const std::string& api_version, const std::string& kind_) {
    if (api_version.empty()) d.errors.push_back(FieldError{file, d.line, "apiVersion", "required (v1)"});
    if (kind_.empty()) d.errors.push_back(FieldError{file, d.line, "kind", "required (Pod)"});
  };
  if (!d.errors.empty()) {
    missing_type_meta(api, kind);
    return d;
  }
  YamlReader r(file, &d.errors, &d.warnings);
  ReadPod(r, n, &d);
  r.Finish();
  if (!d.errors.empty()) missing_type_meta(d.pod.api_version, d.pod.kind);
  d.lines = r.lines();
  d.lines[""] = d.line;
  return d;
}

}  // namespace

std::vector<ParsedDocument> ParseManifest(std::string_view content, const std::string& file) {
  std::vector<ParsedDocument> out;
  std::vector<Node> docs;
  YamlLoadError refused;
  if (!SafeLoadAll(content, YamlLimits{}, &docs, &refused)) {
    ParsedDocument d;
    d.line = refused.line;
    d.errors.push_back(FieldError{file, refused.line, "", refused.message});
    out.push_back(std::move(d));
    return out;
  }

  int index = 0;
  for (const Node& n : docs) {
    if (!n.IsDefined() || n.IsNull()) continue;
    try {
      // A List/PodList holds pods in `items` (kubelet accepts a PodList from a URL; crilet also from files).
      std::string kind = ScalarField(n, "kind");
      if (kind == "PodList" || kind == "List") {
        std::string api = ScalarField(n, "apiVersion");
        const Node items = n["items"];
        if ((!api.empty() && api != "v1") || (items.IsDefined() && !items.IsNull() && !items.IsSequence())) {
          ParsedDocument d;
          d.line = YamlReader::Line(n);
          if (!api.empty() && api != "v1") {
            d.errors.push_back(FieldError{file, YamlReader::Line(n["apiVersion"]), "apiVersion",
                                          "unsupported \"" + api + "\": a " + kind + " is apiVersion v1"});
          } else {
            d.errors.push_back(FieldError{file, YamlReader::Line(items), "items", "must be a list of Pods"});
          }
          out.push_back(std::move(d));
          continue;
        }
        for (size_t i = 0; items.IsDefined() && items.IsSequence() && i < items.size(); ++i) {
          ParsedDocument d = ReadDocument(items[i], file, index++);
          // Paths inside a list name the item, so a message points at the right pod.
          std::string prefix = "items[" + std::to_string(i) + "]";
          for (auto* list : {&d.errors, &d.warnings}) {
            for (auto& e : *list) e.path = e.path.empty() ? prefix : prefix + "." + e.path;
          }
          d.path_prefix = prefix;
          out.push_back(std::move(d));
        }
        continue;
      }
      out.push_back(ReadDocument(n, file, index++));
    } catch (const std::exception& e) {
      // yaml-cpp may still throw on odd nodes; one bad document does not hide the others.
      ParsedDocument d;
      d.line = YamlReader::Line(n);
      d.errors.push_back(FieldError{file, d.line, "", std::string("cannot read document: ") + e.what()});
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace crilet::manifests
