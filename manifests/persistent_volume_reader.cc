// Reading PersistentVolumeClaim and PersistentVolume documents with YamlReader; checks are in persistent_volumes.cc.
#include "manifests/persistent_volume_reader.h"

#include "manifests/yaml_reader.h"

namespace crilet::manifests {
namespace {

void ReadMeta(YamlReader& r, const YAML::Node& n, std::string* name, std::string* ns,
              std::map<std::string, std::string>* labels, std::map<std::string, std::string>* annotations) {
  r.Mark("metadata", n);
  r.Fields(n, "metadata", [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    r.Mark(p, v);
    if (k == "name") *name = r.Str(v, p);
    else if (k == "namespace" && ns) *ns = r.Str(v, p);
    else if (k == "labels") *labels = r.StringMap(v, p);
    else if (k == "annotations") *annotations = r.StringMap(v, p);
    else if (k == "creationTimestamp" || k == "uid" || k == "resourceVersion" || k == "finalizers") {}
    else return false;
    return true;
  });
}

// status is what the API server writes; a copy of `kubectl get -o yaml` carries it. It is ignored.
bool TypeMeta(const std::string& k) { return k == "apiVersion" || k == "kind" || k == "status"; }

}  // namespace

void ReadClaim(YamlReader& r, const YAML::Node& n, PersistentVolumeClaim* c) {
  r.Fields(n, "", [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    r.Mark(p, v);
    if (TypeMeta(k)) return true;
    if (k == "metadata") {
      ReadMeta(r, v, &c->name, &c->namespace_, &c->labels, &c->annotations);
      return true;
    }
    if (k != "spec") return false;
    r.Fields(v, p, [&](const std::string& sk, const YAML::Node& x, const std::string& xp) {
      r.Mark(xp, x);
      if (sk == "accessModes") c->access_modes = r.Strings(x, xp);
      else if (sk == "storageClassName") c->storage_class_name = r.Str(x, xp);
      else if (sk == "volumeName") c->volume_name = r.Str(x, xp);
      else if (sk == "volumeMode") {
        if (std::string mode = r.Str(x, xp); mode != "Filesystem") {
          r.Error(x, xp, "unsupported value \"" + mode + "\": crilet serves volumeMode Filesystem only");
        }
      } else if (sk == "resources") {
        r.Fields(x, xp, [&](const std::string& rk, const YAML::Node& y, const std::string& yp) {
          r.Mark(yp, y);
          if (rk == "limits") return true;  // the API allows a storage limit; one directory cannot enforce it
          if (rk != "requests") return false;
          r.Fields(y, yp, [&](const std::string& qk, const YAML::Node& q, const std::string& qp) {
            if (qk != "storage") return false;
            r.Mark(yp + "[storage]", q);
            c->storage_request = r.Qty(q, qp);
            return true;
          });
          return true;
        });
      } else if (sk == "selector" || sk == "dataSource" || sk == "dataSourceRef" || sk == "volumeAttributesClassName") {
        r.Warn(x, xp, "not supported by crilet, ignored");
      } else {
        return false;
      }
      return true;
    });
    return true;
  });
}

void ReadPersistentVolume(YamlReader& r, const YAML::Node& n, PersistentVolume* pv) {
  r.Fields(n, "", [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    r.Mark(p, v);
    if (TypeMeta(k)) return true;
    if (k == "metadata") {
      ReadMeta(r, v, &pv->name, nullptr, &pv->labels, &pv->annotations);
      return true;
    }
    if (k != "spec") return false;
    r.Fields(v, p, [&](const std::string& sk, const YAML::Node& x, const std::string& xp) {
      r.Mark(xp, x);
      if (sk == "accessModes") pv->access_modes = r.Strings(x, xp);
      else if (sk == "storageClassName") pv->storage_class_name = r.Str(x, xp);
      else if (sk == "persistentVolumeReclaimPolicy") pv->reclaim_policy = r.Str(x, xp);
      else if (sk == "volumeMode") {
        if (std::string mode = r.Str(x, xp); mode != "Filesystem") {
          r.Error(x, xp, "unsupported value \"" + mode + "\": crilet serves volumeMode Filesystem only");
        }
      } else if (sk == "capacity") {
        r.Fields(x, xp, [&](const std::string& qk, const YAML::Node& q, const std::string& qp) {
          if (qk != "storage") return false;
          r.Mark(xp + "[storage]", q);
          pv->capacity = r.Qty(q, qp);
          return true;
        });
      } else if (sk == "hostPath" || sk == "local") {
        if (!pv->source_kind.empty()) r.Error(x, xp, "may not specify more than 1 volume type");
        pv->source_kind = sk;
        r.Fields(x, xp, [&](const std::string& hk, const YAML::Node& h, const std::string& hp) {
          r.Mark(hp, h);
          if (hk == "path") pv->path = r.Str(h, hp);
          else if (hk == "type" && sk == "hostPath") {
            std::string type = r.Str(h, hp);
            if (type != "" && type != "Directory" && type != "DirectoryOrCreate") {
              r.Error(h, hp, "crilet serves directories: type must be Directory, DirectoryOrCreate or empty");
            }
          } else if (hk == "fsType" && sk == "local") {
          } else return false;
          return true;
        });
      } else if (sk == "claimRef") {
        r.Fields(x, xp, [&](const std::string& ck, const YAML::Node& c, const std::string& cp) {
          r.Mark(cp, c);
          if (ck == "name") pv->claim_ref_name = r.Str(c, cp);
          else if (ck == "namespace") pv->claim_ref_namespace = r.Str(c, cp);
          else if (ck == "kind" || ck == "apiVersion" || ck == "uid" || ck == "resourceVersion") {}
          else return false;
          return true;
        });
      } else if (sk == "nodeAffinity" || sk == "mountOptions") {
        // A local PV requires nodeAffinity in a cluster; on one node it is this node.
      } else {
        r.Error(x, xp, "unsupported volume type or field for crilet: it serves hostPath and local PersistentVolumes");
      }
      return true;
    });
    return true;
  });
}

}  // namespace crilet::manifests
