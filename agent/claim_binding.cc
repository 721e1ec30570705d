// The PV controller's claim-to-volume matching (pkg/controller/volume/persistentvolume) for one node, and the reaper's decision.
#include "agent/claim_binding.h"

#include <algorithm>
#include <optional>

namespace crilet::agent {
namespace {

using manifests::PersistentVolume;
using manifests::PersistentVolumeClaim;

std::string ClaimClass(const PersistentVolumeClaim& c) { return c.storage_class_name.value_or(""); }

bool HasModes(const PersistentVolume& v, const PersistentVolumeClaim& c) {
  for (const auto& m : c.access_modes) {
    if (std::find(v.access_modes.begin(), v.access_modes.end(), m) == v.access_modes.end()) return false;
  }
  return true;
}

int64_t Capacity(const PersistentVolume& v) { return v.capacity ? v.capacity->milli : 0; }
int64_t Request(const PersistentVolumeClaim& c) { return c.storage_request ? c.storage_request->milli : 0; }

// Why `v` cannot serve `c`, in the PV controller's words, or "".
std::string Mismatch(const PersistentVolume& v, const PersistentVolumeClaim& c) {
  if (v.storage_class_name != ClaimClass(c)) return "storageClassName does not match";
  if (!HasModes(v, c)) return "incompatible accessMode";
  if (Capacity(v) < Request(c)) return "requested PV is too small";
  return "";
}

bool ReservedForOther(const PersistentVolume& v, const PersistentVolumeClaim& c) {
  return !v.claim_ref_name.empty() && (v.claim_ref_name != c.name || v.claim_ref_namespace != c.namespace_);
}

ClaimBinding BoundTo(const PersistentVolumeClaim& c, const PersistentVolume& v) {
  ClaimBinding b{c.namespace_, c.name, "Bound", "", v.name, v.path, false, v.reclaim_policy,
                 v.capacity ? v.capacity->text : "", v.access_modes, v.storage_class_name};
  return b;
}

}  // namespace

std::string ClaimKey(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::string ProvisionedPath(const std::string& base, const std::string& ns, const std::string& name) {
  return base + "/" + ns + "/" + name;
}

std::vector<ClaimBinding> BindClaims(const std::vector<PersistentVolumeClaim>& claims,
                                     const std::vector<PersistentVolume>& volumes,
                                     const std::map<std::string, std::string>& previous, const std::string& base) {
  std::vector<const PersistentVolumeClaim*> order;
  for (const auto& c : claims) order.push_back(&c);
  auto rank = [&](const PersistentVolumeClaim* c) { return previous.count(ClaimKey(c->namespace_, c->name)) ? 0 : 1; };
  std::stable_sort(order.begin(), order.end(), [&](auto* a, auto* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return ClaimKey(a->namespace_, a->name) < ClaimKey(b->namespace_, b->name);
  });
  std::map<std::string, const PersistentVolume*> by_name;
  for (const auto& v : volumes) by_name[v.name] = &v;
  std::set<std::string> taken;  // PV names
  std::map<std::string, ClaimBinding> result;
  for (const PersistentVolumeClaim* c : order) {
    const std::string key = ClaimKey(c->namespace_, c->name);
    auto usable = [&](const PersistentVolume* v) {
      return v && !taken.count(v->name) && !ReservedForOther(*v, *c) && Mismatch(*v, *c).empty();
    };
    const PersistentVolume* chosen = nullptr;
    std::string pending;
    if (!c->volume_name.empty()) {
      auto it = by_name.find(c->volume_name);
      if (it == by_name.end()) {
        pending = "volume \"" + c->volume_name + "\" not found";
      } else if (ReservedForOther(*it->second, *c) || taken.count(c->volume_name)) {
        pending = "volume \"" + c->volume_name + "\" already bound to a different claim.";
      } else if (std::string why = Mismatch(*it->second, *c); !why.empty()) {
        pending = "Cannot bind to requested volume \"" + c->volume_name + "\": " + why;
      } else {
        chosen = it->second;
      }
    } else {
      if (auto it = previous.find(key); it != previous.end() && by_name.count(it->second) && usable(by_name[it->second])) {
        chosen = by_name[it->second];
      }
      for (const auto& v : volumes) {
        if (!chosen && v.claim_ref_name == c->name && v.claim_ref_namespace == c->namespace_ && usable(&v)) chosen = &v;
      }
      for (const auto& v : volumes) {
        if (chosen && (previous.count(key) || chosen->claim_ref_name == c->name)) break;
        if (!usable(&v) || !v.claim_ref_name.empty()) continue;
        if (!chosen || Capacity(v) < Capacity(*chosen) || (Capacity(v) == Capacity(*chosen) && v.name < chosen->name)) {
          chosen = &v;
        }
      }
    }
    if (chosen) {
      taken.insert(chosen->name);
      result[key] = BoundTo(*c, *chosen);
      continue;
    }
    if (pending.empty() && c->storage_class_name && c->storage_class_name->empty()) {
      // storageClassName "" asks for a pre-made volume only (no dynamic provisioning).
      pending = "no persistent volumes available for this claim and no storage class is set";
    }
    if (!pending.empty()) {
      ClaimBinding b;
      b.namespace_ = c->namespace_;
      b.name = c->name;
      b.phase = "Pending";
      b.message = pending;
      result[key] = b;
      continue;
    }
    result[key] = ClaimBinding{c->namespace_,
                               c->name,
                               "Bound",
                               "",
                               "pvc-" + c->namespace_ + "-" + c->name,
                               ProvisionedPath(base, c->namespace_, c->name),
                               true,
                               "Delete",
                               c->storage_request ? c->storage_request->text : "",
                               c->access_modes,
                               ClaimClass(*c)};
  }
  std::vector<ClaimBinding> out;
  for (const auto& c : claims) {
    if (auto it = result.find(ClaimKey(c.namespace_, c.name)); it != result.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<ProvisionedDirectory> DirectoriesToDelete(const std::vector<ProvisionedDirectory>& on_disk,
                                                      const std::set<std::string>& claims,
                                                      const std::set<std::string>& seen,
                                                      const std::set<std::string>& in_use) {
  std::vector<ProvisionedDirectory> out;
  for (const auto& d : on_disk) {
    std::string key = ClaimKey(d.namespace_, d.name);
    if (!claims.count(key) && seen.count(key) && !in_use.count(key)) out.push_back(d);
  }
  return out;
}

std::string CheckReadWriteOncePod(const std::vector<std::string>& claim_modes, const std::set<std::string>& holders,
                                  const std::string& uid) {
  if (std::find(claim_modes.begin(), claim_modes.end(), "ReadWriteOncePod") == claim_modes.end()) return "";
  for (const auto& h : holders) {
    if (h != uid) return "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";
  }
  return "";
}

}  // namespace crilet::agent
