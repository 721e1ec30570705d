// The List JSON of local objects the CLI reads; secret data is reduced to key names and sizes here.
#include "server/object_lists.h"

namespace crilet::server {
namespace {
using nlohmann::json;

json Meta(const std::string& name, const std::string& ns, const std::map<std::string, std::string>& labels) {
  json m = {{"name", name}, {"namespace", ns}};
  if (!labels.empty()) m["labels"] = labels;
  return m;
}

json Sizes(const std::map<std::string, std::string>& data) {
  json out = json::object();
  for (const auto& [k, v] : data) out[k] = std::to_string(v.size()) + " bytes";
  return out;
}

json List(const std::string& kind, json items) {
  return {{"kind", kind}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"items", std::move(items)}};
}

}  // namespace

json ConfigMapListJson(const manifests::LocalObjects& objects) {
  json items = json::array();
  for (const auto& c : objects.config_maps) {
    json j = {{"kind", "ConfigMap"}, {"apiVersion", "v1"}, {"metadata", Meta(c.name, c.namespace_, c.labels)}};
    if (!c.data.empty()) j["data"] = Sizes(c.data);
    if (!c.binary_data.empty()) j["binaryData"] = Sizes(c.binary_data);
    if (c.immutable) j["immutable"] = true;
    items.push_back(std::move(j));
  }
  return List("ConfigMapList", std::move(items));
}

json SecretListJson(const manifests::LocalObjects& objects) {
  json items = json::array();
  for (const auto& s : objects.secrets) {
    json j = {{"kind", "Secret"}, {"apiVersion", "v1"}, {"metadata", Meta(s.name, s.namespace_, s.labels)}, {"type", s.type}};
    j["data"] = Sizes(s.data);
    if (s.immutable) j["immutable"] = true;
    items.push_back(std::move(j));
  }
  return List("SecretList", std::move(items));
}

json ClaimListJson(const manifests::LocalObjects& objects, const std::vector<agent::ClaimBinding>& bindings,
                   const std::map<std::string, std::set<std::string>>& users) {
  json items = json::array();
  for (const auto& c : objects.claims) {
    json j = {{"kind", "PersistentVolumeClaim"}, {"apiVersion", "v1"}, {"metadata", Meta(c.name, c.namespace_, c.labels)}};
    json spec = {{"accessModes", c.access_modes}};
    if (c.storage_request) spec["resources"] = {{"requests", {{"storage", c.storage_request->text}}}};
    if (c.storage_class_name) spec["storageClassName"] = *c.storage_class_name;
    json status = {{"phase", "Pending"}};
    json annotations = json::object();
    for (const auto& b : bindings) {
      if (b.namespace_ != c.namespace_ || b.name != c.name) continue;
      status["phase"] = b.phase;
      if (b.phase == "Bound") {
        spec["volumeName"] = b.volume_name;
        status["accessModes"] = b.access_modes;
        status["capacity"] = {{"storage", b.capacity}};
        annotations["crilet.io/local-path"] = b.path;
        annotations["crilet.io/reclaim-policy"] = b.reclaim_policy;
        if (!c.storage_class_name) spec["storageClassName"] = b.storage_class;
      } else {
        if (!c.volume_name.empty()) spec["volumeName"] = c.volume_name;
        annotations["crilet.io/pending-message"] = b.message;
      }
    }
    if (auto it = users.find(agent::ClaimKey(c.namespace_, c.name)); it != users.end()) {
      std::string list;
      for (const auto& uid : it->second) list += (list.empty() ? "" : ",") + uid;
      annotations["crilet.io/used-by"] = list;
    }
    if (!annotations.empty()) j["metadata"]["annotations"] = annotations;
    j["spec"] = spec;
    j["status"] = status;
    items.push_back(std::move(j));
  }
  return List("PersistentVolumeClaimList", std::move(items));
}

}  // namespace crilet::server
