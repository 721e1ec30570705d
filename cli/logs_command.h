/// `crilet logs POD [-c C] [-f] [--previous] [--tail N] [--timestamps]`: a container's log, from its CRI log file.
#pragma once

namespace crilet::cli {

int LogsCommand(int argc, char** argv);

}  // namespace crilet::cli
