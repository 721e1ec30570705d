/// `crilet run`: the daemon: flags and config file, runtime connection, agent, sources, status server, signals.
#pragma once

#include "cli/daemon_config.h"

namespace crilet::cli {

// Parses `run` flags (kubelet's names) and runs until SIGTERM/SIGINT. Returns the exit status.
int RunCommand(int argc, char** argv);

// Runs the daemon with a resolved configuration.
int RunDaemon(const DaemonConfig& config);

}  // namespace crilet::cli
