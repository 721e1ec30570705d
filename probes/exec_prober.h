/// Exec probes: the command runs in the container through CRI ExecSync with the probe's timeout.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cri/runtime.h"
#include "manifests/pod.h"
#include "probes/pending_probe.h"
#include "probes/probe_state.h"

namespace crilet::probes {

// The command with $(VAR) expanded from the container's literal env values (kubelet does not resolve
// downward-API values for probes).
std::vector<std::string> ExpandProbeCommand(const std::vector<std::string>& command, const manifests::Container& c);

// Exit 0 = success; another exit code = failure with the command's output; past the timeout = failure
// "command ... timed out"; a runtime error (the container is going away) = error, retried then dropped.
ProbeOutcome ExecProbe(cri::Runtime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                       std::chrono::seconds timeout);
// ExecProbe's rules applied to one ExecSync's Status and result.
ProbeOutcome ExecOutcome(const Status& s, const cri::ExecResult& r, const std::vector<std::string>& cmd);

// ExecProbe for the probe loop, which must not block: the ExecSync is started on the runtime's shared
// connection and `pending` waits for its answer, with ExecProbe's outcomes. A call that could not be sent
// is an error `outcome` (the loop retries errors in the same tick, as kubelet).
ProbeStart ExecProbeStart(cri::Runtime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                          std::chrono::seconds timeout);

}  // namespace crilet::probes
