/// `crilet describe pod NAME`: a pod's spec summary, conditions, container states, probes and events (kubectl style).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"

namespace crilet::cli {

// The text kubectl describe would print for a v1 Pod with an "events" list; pure (for tests).
std::string DescribePod(const nlohmann::json& pod, TimePoint now);

int DescribeCommand(int argc, char** argv);

}  // namespace crilet::cli
