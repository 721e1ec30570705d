/// BindClaims: which directory each local PersistentVolumeClaim is bound to, and which provisioned ones to delete; pure.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "manifests/persistent_volumes.h"

namespace crilet::agent {

// A claim's status as `crilet get pvc` shows it and as pods mount it.
struct ClaimBinding {
  std::string namespace_, name;
  std::string phase;        // Bound or Pending
  std::string message;      // why Pending, in the PV controller's words
  std::string volume_name;  // the PersistentVolume, or pvc-<namespace>-<name> for a provisioned directory
  std::string path;         // host directory
  bool provisioned = false;  // a directory under the local storage path, made for the claim
  std::string reclaim_policy;  // Delete for provisioned directories (as local-path provisioners), else the PV's
  std::string capacity;        // the PV's capacity, or the request for a provisioned directory
  std::vector<std::string> access_modes;  // the PV's (or the claim's, provisioned)
  std::string storage_class;
  bool operator==(const ClaimBinding&) const = default;
};

// "namespace/name" of a claim.
std::string ClaimKey(const std::string& ns, const std::string& name);

// The provisioned directory of a claim: <base>/<namespace>/<name>.
std::string ProvisionedPath(const std::string& base, const std::string& ns, const std::string& name);

// The PV controller's matching, on one node. `previous` (claim key -> PV name) keeps earlier bindings while
// the PV still exists and fits, so adding a better-fitting PV never moves a claim's data. A claim binds to:
// its spec.volumeName (which must exist, fit and not be reserved for another claim); else the PV whose
// claimRef names it; else the smallest fitting free PV (same storageClassName, all requested access modes,
// capacity >= request; ties by name); else, unless storageClassName is "" (no dynamic provisioning, as in
// the API), a directory provisioned under `base`. Claims are bound in namespace/name order after the ones
// with an earlier binding, so the result does not depend on document order.
std::vector<ClaimBinding> BindClaims(const std::vector<manifests::PersistentVolumeClaim>& claims,
                                     const std::vector<manifests::PersistentVolume>& volumes,
                                     const std::map<std::string, std::string>& previous, const std::string& base);

// A provisioned directory found on disk, as <base>/<namespace>/<name>.
struct ProvisionedDirectory {
  std::string namespace_, name;
  bool operator==(const ProvisionedDirectory&) const = default;
};

// The provisioned directories to delete: those whose claim is no longer declared (`claims`: keys of the
// declared claims), was declared earlier in this run (`seen`: so a manifest that fails to parse at start, or
// a claim removed while crilet was down, never costs data) and that no pod uses (`in_use`: claim keys
// mounted by a desired or still running pod). A PersistentVolume's data is never deleted (it is not a
// provisioned directory), whatever its reclaim policy.
std::vector<ProvisionedDirectory> DirectoriesToDelete(const std::vector<ProvisionedDirectory>& on_disk,
                                                      const std::set<std::string>& claims,
                                                      const std::set<std::string>& seen,
                                                      const std::set<std::string>& in_use);

// ReadWriteOncePod on the node: "" when pod `uid` may mount the claim, else kubelet's (scheduler's) message.
// `holders` are the pod UIDs that have it mounted now.
std::string CheckReadWriteOncePod(const std::vector<std::string>& claim_modes, const std::set<std::string>& holders,
                                  const std::string& uid);

}  // namespace crilet::agent
