/// The CRI runtime the local crilet uses, for CLI commands that call it directly (exec, attach, port-forward, cp, debug).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/pod_lookup.h"
#include "cli/status_source.h"
#include "common/status.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {

// Connects to the daemon's containerRuntimeEndpoint (from its /configz, which lands in *config when
// given). Calls made through it may take long (a streaming URL is used at once, but ExecSync runs the
// whole command).
Status RuntimeFromSource(const StatusSource& source, std::unique_ptr<cri::GrpcRuntime>* out,
                         nlohmann::json* config = nullptr);

// What exec, attach and cp start from: POD's container (FindContainer's rules), which must be running
// (kubectl's `container "c" in pod "p" is not running`), and the runtime that runs it.
struct RunningContainer {
  ContainerRef ref;
  std::unique_ptr<cri::GrpcRuntime> runtime;
};
Status FindRunningContainer(const StatusSource& source, const std::string& ns, const std::string& pod,
                            const std::string& container, RunningContainer* out);

// The ready sandbox of `pod` (a v1 Pod from the status server), by its UID: what port-forward and debug
// work in. An error names the pod when it has none.
Status ReadySandbox(cri::Runtime* runtime, const nlohmann::json& pod, cri::Sandbox* out);

}  // namespace crilet::cli
