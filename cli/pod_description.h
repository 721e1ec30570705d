/// The text of `crilet describe pod`: kubectl's describePod, field for field, through its tabwriter; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"

namespace crilet::cli {

// What kubectl describe prints for a v1 Pod (the status server's JSON) with crilet's additions: "events" (the
// Events table), "claims" (where a PersistentVolumeClaim's data lives) and SensitiveHostPath warnings under
// their volume. The lines are kubectl's format strings with tabs, aligned as its tabwriter does (padding 2,
// blocks of consecutive lines), so widths follow the longest label of each block as kubectl's do.
std::string DescribePod(const nlohmann::json& pod, TimePoint now);

}  // namespace crilet::cli
