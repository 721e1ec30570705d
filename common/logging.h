/// Logging setup: spdlog to stderr, kubelet-style verbosity (-v N) and an optional JSON line format.
#pragma once

#include <string>

namespace crilet {

// verbosity: 0 = info and above; 1-3 = more detail (debug); >= 4 = trace. format: "text" or "json".
// Returns false with *error set for an unknown format.
bool SetupLogging(int verbosity, const std::string& format, std::string* error);

}  // namespace crilet
