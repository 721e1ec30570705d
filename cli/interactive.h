/// exec and attach sessions on the local terminal: kubectl's stream choice (SetupTTY) and its exit messages.
#pragma once

#include <string>

#include "cli/remote_command.h"

namespace crilet::cli {

// kubectl's rules: -t without -i has no terminal; -t when stdin is not a terminal warns and goes on without
// one (*warning is set, kubectl's words). stdout always; stderr unless there is a terminal.
RemoteCommandOptions ChooseStreams(bool stdin_flag, bool tty_flag, bool stdin_is_terminal, std::string* warning);

// The exit status and the message kubectl prints for a finished session: 0; the command's code with
// "command terminated with exit code N"; 1 with "error: ..." for any other failure.
int SessionExit(const Status& session, const RemoteCommandResult& result, std::string* message);

// Runs the session on this process's stdin/stdout/stderr, in raw mode when opts.tty, sending window size
// changes; prints SessionExit's message to stderr and returns its code. `stop_fd` (a SignalFd) ends it.
int RunInteractive(const std::string& url, const RemoteCommandOptions& opts, int stop_fd = -1);

}  // namespace crilet::cli
