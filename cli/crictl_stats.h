/// crictl stats and crictl info for `crilet cri`: the table, and the JSON crictl prints; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "cri/types.h"

namespace crilet::cli {

// crictl stats' table: CONTAINER NAME CPU % MEM DISK INODES, one row per container of `after` that `before`
// (the first of crictl's two samples) also has, ordered by ID. CPU % is the CPU time used between the two
// samples over the time between them; without `all`, containers using neither CPU nor memory (not running)
// are left out. InvalidArgument with crictl's words when a container's CPU counter did not move on.
Status CrictlStatsTable(const std::vector<cri::ContainerStats>& before, const std::vector<cri::ContainerStats>& after,
                        bool all, std::string* out);

// crictl stats -o json: the ListContainerStatsResponse as protojson prints it (camelCase, fields in the
// proto's order, 64-bit numbers as strings, unreported counters left out).
nlohmann::ordered_json CrictlStatsJson(const std::vector<cri::ContainerStats>& stats);

// crictl info: {"status": {"conditions": [...]}, and each info key: a JSON object when its value is one,
// else the text without its quotes}, keys sorted as Go's encoding/json writes a map.
nlohmann::json CrictlInfoJson(const cri::RuntimeStatusInfo& status);

}  // namespace crilet::cli
