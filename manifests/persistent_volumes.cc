// The API server's checks on PersistentVolumeClaims and PersistentVolumes (pkg/apis/core/validation), as pure functions.
#include "manifests/persistent_volumes.h"

#include <set>

#include "manifests/validation.h"

namespace crilet::manifests {
namespace {

using Errors = LineFieldErrors;

const std::set<std::string> kAccessModes = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"};

// ValidatePersistentVolumeClaimSpec / ValidatePersistentVolumeSpec's accessModes rules.
void CheckModes(const std::vector<std::string>& modes, const std::string& field, Errors* e) {
  if (modes.empty()) {
    e->Add(field, "required: at least 1 access mode is required");
    return;
  }
  bool rwop = false;
  for (size_t i = 0; i < modes.size(); ++i) {
    if (!kAccessModes.count(modes[i])) {
      e->Add(field + "[" + std::to_string(i) + "]", "unsupported value \"" + modes[i] +
                                                        "\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
                                                        "\"ReadWriteOnce\", \"ReadWriteOncePod\"");
    }
    rwop = rwop || modes[i] == "ReadWriteOncePod";
  }
  if (rwop && modes.size() > 1) e->Add(field, "may not use ReadWriteOncePod with other access modes");
}

void CheckName(const std::string& name, Errors* e) {
  if (name.empty()) e->Add("metadata.name", "required");
  else if (std::string why = CheckDnsSubdomain(name); !why.empty()) e->Add("metadata.name", "invalid value \"" + name + "\": " + why);
}

}  // namespace

std::vector<FieldError> ValidateClaim(const PersistentVolumeClaim& c, const std::map<std::string, int>& lines,
                                      const std::string& file) {
  Errors e(lines, file);
  CheckName(c.name, &e);
  if (std::string why = CheckDnsLabel(c.namespace_); !why.empty()) e.Add("metadata.namespace", "invalid value \"" + c.namespace_ + "\": " + why);
  CheckModes(c.access_modes, "spec.accessModes", &e);
  if (!c.storage_request) {
    e.Add("spec.resources.requests[storage]", "required");
  } else if (c.storage_request->milli <= 0) {
    e.Add("spec.resources.requests[storage]", "must be greater than zero");
  }
  if (c.storage_class_name && !c.storage_class_name->empty()) {
    if (std::string why = CheckDnsSubdomain(*c.storage_class_name); !why.empty()) e.Add("spec.storageClassName", why);
  }
  if (!c.volume_name.empty()) {
    if (std::string why = CheckDnsSubdomain(c.volume_name); !why.empty()) e.Add("spec.volumeName", why);
  }
  return std::move(e.out);
}

std::vector<FieldError> ValidatePersistentVolume(const PersistentVolume& v, const std::map<std::string, int>& lines,
                                                 const std::string& file) {
  Errors e(lines, file);
  CheckName(v.name, &e);
  CheckModes(v.access_modes, "spec.accessModes", &e);
  if (!v.capacity) e.Add("spec.capacity[storage]", "required");
  else if (v.capacity->milli <= 0) e.Add("spec.capacity[storage]", "must be greater than zero");
  if (v.source_kind.empty()) {
    e.Add("spec", "must specify a volume type: crilet serves hostPath and local");
  } else if (v.path.empty() || v.path[0] != '/') {
    e.Add("spec." + v.source_kind + ".path", "must be an absolute path");
  } else if (v.path.find("/../") != std::string::npos || v.path.ends_with("/..")) {
    e.Add("spec." + v.source_kind + ".path", "must not contain '..'");
  }
  if (v.reclaim_policy == "Recycle") {
    e.Add("spec.persistentVolumeReclaimPolicy", "Recycle is deprecated and not supported by crilet; use Retain or Delete");
  } else if (v.reclaim_policy != "Retain" && v.reclaim_policy != "Delete") {
    e.Add("spec.persistentVolumeReclaimPolicy", "unsupported value \"" + v.reclaim_policy +
                                                    "\": supported values: \"Delete\", \"Retain\"");
  }
  if (!v.storage_class_name.empty()) {
    if (std::string why = CheckDnsSubdomain(v.storage_class_name); !why.empty()) e.Add("spec.storageClassName", why);
  }
  if (!v.claim_ref_name.empty() || !v.claim_ref_namespace.empty()) {
    if (v.claim_ref_name.empty()) e.Add("spec.claimRef.name", "required");
    if (v.claim_ref_namespace.empty()) e.Add("spec.claimRef.namespace", "required");
  }
  return std::move(e.out);
}

}  // namespace crilet::manifests
