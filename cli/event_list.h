/// `crilet get events` as kubectl get events prints it: LAST SEEN TYPE REASON OBJECT MESSAGE; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/columns.h"
#include "common/clock.h"

namespace crilet::cli {

// The table of the /events items in namespace `ns` (every namespace with options.all_namespaces, which adds
// NAMESPACE first), oldest last-seen first; only the events of pod `for_pod` (its full name) unless empty.
// "" when no event is left.
std::string FormatEventList(const nlohmann::json& events, const std::string& ns, const std::string& for_pod,
                            const TableOptions& options, TimePoint now);

}  // namespace crilet::cli
