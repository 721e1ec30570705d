/// PersistentVolumeClaim and PersistentVolume documents read beside static pods, and the API server's checks on them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/pod.h"

namespace crilet::manifests {

// A v1 PersistentVolumeClaim (volumeMode Filesystem only).
struct PersistentVolumeClaim {
  std::string name;
  std::string namespace_ = "default";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> access_modes;  // ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod
  std::optional<Quantity> storage_request;  // resources.requests.storage
  std::optional<std::string> storage_class_name;  // unset and "" differ, as in the API
  std::string volume_name;
  PodSource source;
  bool operator==(const PersistentVolumeClaim&) const = default;
};

// A v1 PersistentVolume with a hostPath or local source (the two a single node can serve).
struct PersistentVolume {
  std::string name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string path;         // hostPath.path or local.path
  std::string source_kind;  // "hostPath" or "local"
  std::optional<Quantity> capacity;  // capacity.storage
  std::vector<std::string> access_modes;
  std::string reclaim_policy = "Retain";  // the API's default for a PV created by hand
  std::string storage_class_name;
  std::string claim_ref_namespace, claim_ref_name;  // claimRef: reserved for that claim
  PodSource source;
  bool operator==(const PersistentVolume&) const = default;
};

// Checks of ValidatePersistentVolumeClaim / ValidatePersistentVolume that apply here, with field paths and
// lines from `lines` (path -> line, as the reader marked them).
std::vector<FieldError> ValidateClaim(const PersistentVolumeClaim& c, const std::map<std::string, int>& lines,
                                      const std::string& file);
std::vector<FieldError> ValidatePersistentVolume(const PersistentVolume& v, const std::map<std::string, int>& lines,
                                                 const std::string& file);

}  // namespace crilet::manifests
