/// Logging setup: spdlog to stderr, kubelet-style verbosity (-v N) and an optional JSON line format.
#pragma once

#include <string>

namespace crilet {

// verbosity grades detail as kubelet's -v does: 0 = info, warnings and errors; 1 = more about the node's
// setup; 2 = every state change (pod added, updated, removed; container exited), kubelet's recommended
// production level; 3 = more on those changes; 4 = per-sync detail (each step of every pod sync); 5+ = all.
// Lines above 0 are written at debug level. format: "text" or "json". Returns false with *error set for an
// unknown format.
bool SetupLogging(int verbosity, const std::string& format, std::string* error);

// klog's V(level): whether lines of that verbosity are wanted (-v >= level). Cheap; callable from any thread.
bool V(int level);
// Sets what V compares with (SetupLogging does; tests call it directly).
void SetVerbosity(int verbosity);

}  // namespace crilet
