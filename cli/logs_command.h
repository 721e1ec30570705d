/// `crilet logs POD [CONTAINER]`: a container's log from its CRI log file, with kubectl logs' flags
/// (-c, -f, -p, --tail, --since, --since-time, --limit-bytes, --all-containers, --prefix, --timestamps).
#pragma once

namespace crilet::cli {

int LogsCommand(int argc, char** argv);

}  // namespace crilet::cli
