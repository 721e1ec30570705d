/// OpenStatusSource: the local crilet's state for CLI commands, found from --server, --config or /etc/crilet/config.yaml.
#pragma once

#include <memory>
#include <string>

#include "cli/daemon_locator.h"
#include "cli/status_source.h"
#include "common/status.h"

namespace CLI {
class App;
}

namespace crilet::cli {

// The flags of every command that reads the daemon's state.
struct StatusFlags {
  std::string server;  // --server ("" = $CRILET_SERVER, else the config's, else http://127.0.0.1:10255)
  std::string config;  // --config FILE ("" = /etc/crilet/config.yaml when it exists)
};
void AddStatusFlags(CLI::App* app, StatusFlags* flags);

// The daemon's status server, or, when its config turns the read-only port off (readOnlyPort: 0), its
// runtime and manifest directory read directly (LocalStatusSource).
Status StatusSourceFor(const DaemonLocation& where, std::unique_ptr<StatusSource>* out);

// LocateDaemon's order (daemon_locator.h) without a manifest directory, then StatusSourceFor.
Status OpenStatusSource(const StatusFlags& flags, std::unique_ptr<StatusSource>* out);

}  // namespace crilet::cli
