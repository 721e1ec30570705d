/// The AgentOptions and scratch root dir that agent tests against the fake runtime share.
#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

#include "agent/options.h"

namespace crilet::testing {

// A per-process scratch dir under the temp dir, named for the test ("crilet-<name>-<pid>").
inline std::filesystem::path TestRoot(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("crilet-" + name + "-" + std::to_string(::getpid()));
}

// Options for an agent on node1 with its root and log dirs under `root`, relisting every 20 ms and with
// no exit watcher (the fake runtime has no event stream).
inline agent::AgentOptions AgentTestOptions(const std::filesystem::path& root) {
  agent::AgentOptions o;
  o.node_name = "node1";
  o.node_ip = "192.0.2.2";
  o.root_dir = (root / "root").string();
  o.pod_logs_dir = (root / "logs").string();
  o.relist_period = std::chrono::milliseconds(20);
  o.watch_exits = false;
  return o;
}

}  // namespace crilet::testing
