/// `crilet wait --for=condition=Ready|delete|jsonpath=... pod/NAME`: kubectl wait against the status server.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cli/status_source.h"
#include "cli/wait_condition.h"
#include "common/status.h"

namespace crilet::cli {

// Polls the status server for pod NS/NAME (full or manifest name) until the condition holds. `timeout`
// nullopt waits forever; zero checks once. DeadlineExceeded on timeout; Unavailable when the server cannot
// be reached.
Status WaitForPod(const StatusSource& source, const std::string& ns, const std::string& name, const WaitCondition& c,
                  std::optional<std::chrono::nanoseconds> timeout);

int WaitCommand(int argc, char** argv);

}  // namespace crilet::cli
