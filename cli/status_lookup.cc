// Choosing between the status server and a direct read of the runtime and manifests.
#include "cli/status_lookup.h"

#include <CLI/CLI.hpp>

#include "cli/local_status.h"
#include "cli/status_client.h"

namespace crilet::cli {

void AddStatusFlags(CLI::App* app, StatusFlags* flags) {
  AddServerConfigFlags(app, &flags->server, &flags->config);
}

Status StatusSourceFor(const DaemonLocation& where, std::unique_ptr<StatusSource>* out) {
  if (!where.server.empty()) {
    *out = std::make_unique<HttpStatusSource>(where.server);
    return Status::Ok();
  }
  return OpenLocalStatusSource(where.config_file, out);
}

Status OpenStatusSource(const StatusFlags& flags, std::unique_ptr<StatusSource>* out) {
  DaemonLocation where;
  if (Status s = LocateDaemon(GatherLocatorInputs("", flags.server, flags.config), RealLocatorIo(), false, &where); !s.ok()) {
    return s;
  }
  return StatusSourceFor(where, out);
}

}  // namespace crilet::cli
