/// The CRI runtime the local crilet uses, for CLI commands that call it directly (exec, attach, port-forward, cp).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {

// Asks the daemon at `server` for its containerRuntimeEndpoint (/configz) and connects to it. Calls made
// through it may take long (a streaming URL is used at once, but ExecSync runs the whole command).
Status RuntimeFromServer(const std::string& server, std::unique_ptr<cri::GrpcRuntime>* out);

}  // namespace crilet::cli
