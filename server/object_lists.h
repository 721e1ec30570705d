/// Object lists for the status server (/configmaps, /secrets, /pvc) as v1 List JSON; Secret values never leave.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/claim_binding.h"
#include "manifests/local_objects.h"

namespace crilet::server {

// ConfigMapList: metadata, immutable, and data/binaryData keys with their sizes (as "<N> bytes").
nlohmann::json ConfigMapListJson(const manifests::LocalObjects& objects);
// SecretList: metadata, type, immutable, and key names with sizes only; no value, not even base64.
nlohmann::json SecretListJson(const manifests::LocalObjects& objects);
// PersistentVolumeClaimList: the claim's spec and status as bound (phase, capacity, accessModes), plus
// annotations crilet.io/local-path, crilet.io/reclaim-policy, crilet.io/pending-message and
// crilet.io/used-by (pod UIDs, comma-separated).
nlohmann::json ClaimListJson(const manifests::LocalObjects& objects, const std::vector<agent::ClaimBinding>& bindings,
                             const std::map<std::string, std::set<std::string>>& users);

}  // namespace crilet::server
