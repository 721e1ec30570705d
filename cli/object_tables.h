/// Tables of local objects as kubectl prints them (configmaps, secrets, pvc), from the status server's List JSON; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/columns.h"
#include "common/clock.h"

namespace crilet::cli {

// "configmaps", "secrets" or "pvc" for a kubectl resource name or alias (cm, secret, persistentvolumeclaims,
// ...); "" for any other.
std::string ObjectResource(const std::string& name);
// The table for one of the lists: NAME DATA AGE; NAME TYPE DATA AGE; NAME STATUS VOLUME CAPACITY ACCESS
// MODES STORAGECLASS AGE. Items outside `ns` are left out unless `options.all_namespaces`, which adds
// NAMESPACE first, as kubectl -A; `show_labels` adds LABELS last. AGE is <unknown> for items without metadata.creationTimestamp.
std::string FormatObjectTable(const std::string& resource, const nlohmann::json& list, const std::string& ns,
                              const TableOptions& options, TimePoint now);
// kubectl's short access modes: ReadWriteOnce -> RWO, ReadOnlyMany -> ROX, ReadWriteMany -> RWX,
// ReadWriteOncePod -> RWOP, joined by ",".
std::string ShortAccessModes(const nlohmann::json& modes);

}  // namespace crilet::cli
