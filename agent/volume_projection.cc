/// Payload of object volumes (kubelet's configmap/secret/downwardAPI/projected MakePayload), without I/O.
#include "agent/volume_projection.h"

#include <cstdio>
#include <set>

#include "common/go_quote.h"

namespace crilet::agent {
namespace {

using manifests::KeyToPath;

int32_t FileMode(const std::optional<int32_t>& item, const std::optional<int32_t>& def) {
  if (item) return *item;
  return def ? *def : manifests::kDefaultVolumeFileMode;
}

// configMap and secret sources: all keys, or only `items` (a missing key fails unless optional).
Status KeyPayload(const std::map<std::string, std::string>& data, const std::vector<KeyToPath>& items,
                  const std::optional<int32_t>& def, bool optional, bool secret, Projection* out) {
  if (items.empty()) {
    for (const auto& [k, v] : data) (*out)[k] = ProjectedFile{v, FileMode(std::nullopt, def)};
    return Status::Ok();
  }
  for (const auto& it : items) {
    auto found = data.find(it.key);
    if (found == data.end()) {
      if (optional) continue;
      return Status::NotFound(secret ? "references non-existent secret key: " + it.key
                                     : "configmap references non-existent config key: " + it.key);
    }
    (*out)[it.path] = ProjectedFile{found->second, FileMode(it.mode, def)};
  }
  return Status::Ok();
}

Status FieldFile(const manifests::Pod& pod, const std::string& f, std::string* out) {
  const auto& md = pod.metadata;
  auto sub = [&](const std::string& prefix, const std::map<std::string, std::string>& m) -> std::optional<std::string> {
    if (f.size() > prefix.size() + 4 && f.compare(0, prefix.size() + 2, prefix + "['") == 0 &&
        f.compare(f.size() - 2, 2, "']") == 0) {
      auto it = m.find(f.substr(prefix.size() + 2, f.size() - prefix.size() - 4));
      return it == m.end() ? "" : it->second;
    }
    return std::nullopt;
  };
  if (f == "metadata.name") *out = md.name;
  else if (f == "metadata.namespace") *out = md.namespace_;
  else if (f == "metadata.uid") *out = md.uid;
  else if (f == "metadata.labels") *out = FormatDownwardMap(md.labels);
  else if (f == "metadata.annotations") *out = FormatDownwardMap(md.annotations);
  else if (auto l = sub("metadata.labels", md.labels)) *out = *l;
  else if (auto a = sub("metadata.annotations", md.annotations)) *out = *a;
  else return Status::InvalidArgument("unsupported fieldPath " + f);
  return Status::Ok();
}

Status DownwardPayload(const manifests::DownwardApiProjection& d, const std::optional<int32_t>& def,
                       const manifests::Pod& pod, const ContainerContext& ctx, Projection* out) {
  for (const auto& item : d.items) {
    std::string value;
    if (!item.field_path.empty()) {
      if (Status s = FieldFile(pod, item.field_path, &value); !s.ok()) return s;
    } else {
      const manifests::Container* c = nullptr;
      for (const auto& k : pod.spec.containers) if (k.name == item.container_name) c = &k;
      for (const auto& k : pod.spec.init_containers) if (k.name == item.container_name) c = &k;
      if (!c) return Status::InvalidArgument("resourceFieldRef: no container named " + item.container_name);
      manifests::ResourceFieldSelector sel{item.container_name, item.resource, item.divisor};
      if (Status s = ResourceFieldValue(pod, *c, ctx, sel, &value); !s.ok()) return s;
    }
    (*out)[item.path] = ProjectedFile{value, FileMode(item.mode, def)};
  }
  return Status::Ok();
}

}  // namespace

std::string FormatDownwardMap(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : "\n") + k + "=" + GoQuote(v);
  return out;
}

Status ProjectVolume(const manifests::Volume& vol, const manifests::Pod& pod, const manifests::LocalObjects& objects,
                     const ContainerContext& ctx, Projection* out) {
  out->clear();
  if (!vol.object) return Status::InvalidArgument("volume " + vol.name + " is not a configMap, secret, downwardAPI or projected volume");
  const auto& v = *vol.object;
  const std::string& ns = pod.metadata.namespace_;
  for (const auto& src : v.sources) {
    if (src.config_map) {
      const auto& p = *src.config_map;
      bool optional = p.optional.value_or(false);
      const auto* cm = objects.FindConfigMap(ns, p.name);
      if (!cm) {
        if (optional) continue;
        return Status::NotFound("configmap \"" + p.name + "\" not found");
      }
      std::map<std::string, std::string> all = cm->data;
      for (const auto& [k, b] : cm->binary_data) all[k] = b;
      if (Status s = KeyPayload(all, p.items, v.default_mode, optional, false, out); !s.ok()) return s;
    } else if (src.secret) {
      const auto& p = *src.secret;
      bool optional = p.optional.value_or(false);
      const auto* sec = objects.FindSecret(ns, p.name);
      if (!sec) {
        if (optional) continue;
        return Status::NotFound("secret \"" + p.name + "\" not found");
      }
      if (Status s = KeyPayload(sec->data, p.items, v.default_mode, optional, true, out); !s.ok()) return s;
    } else if (src.downward_api) {
      if (Status s = DownwardPayload(*src.downward_api, v.default_mode, pod, ctx, out); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

std::vector<std::string> ReferencedObjects(const manifests::Volume& vol) {
  std::vector<std::string> out;
  if (!vol.object) return out;
  for (const auto& src : vol.object->sources) {
    if (src.config_map) out.push_back("configmap/" + src.config_map->name);
    if (src.secret) out.push_back("secret/" + src.secret->name);
  }
  return out;
}

bool HasObjectVolumes(const manifests::Pod& pod) {
  for (const auto& v : pod.spec.volumes) {
    if (v.object) return true;
  }
  return false;
}

std::vector<std::string> ReferencedObjects(const manifests::Pod& pod) {
  std::vector<std::string> out;
  for (const auto& v : pod.spec.volumes) {
    for (auto& r : ReferencedObjects(v)) out.push_back(std::move(r));
  }
  return out;
}

namespace {

// One kind of PinImmutable: `list` is current's objects of the kind, `pins` the pod's copies.
template <typename T>
void PinKind(std::vector<T>* list, const std::string& kind, const std::string& ns, const std::set<std::string>& refs,
             std::map<std::string, T>* pins, std::vector<std::string>* ignored) {
  std::set<std::string> present;
  for (auto& obj : *list) {
    if (obj.namespace_ != ns) continue;
    std::string key = kind + "/" + obj.name;
    present.insert(key);
    auto pin = pins->find(key);
    if (pin != pins->end()) {
      if (!(pin->second == obj)) {
        ignored->push_back(key);
        obj = pin->second;
      }
    } else if (obj.immutable && refs.count(key)) {
      pins->emplace(key, obj);
    }
  }
  for (auto it = pins->begin(); it != pins->end();) it = present.count(it->first) ? std::next(it) : pins->erase(it);
}

}  // namespace

manifests::LocalObjects PinImmutable(const manifests::LocalObjects& current, const std::string& ns,
                                     const std::vector<std::string>& refs, PinnedObjects* pinned,
                                     std::vector<std::string>* ignored) {
  manifests::LocalObjects out = current;
  std::set<std::string> wanted(refs.begin(), refs.end());
  PinKind(&out.config_maps, "configmap", ns, wanted, &pinned->config_maps, ignored);
  PinKind(&out.secrets, "secret", ns, wanted, &pinned->secrets, ignored);
  return out;
}

}  // namespace crilet::agent
