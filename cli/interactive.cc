// An exec or attach session on this process's terminal.
#include "cli/interactive.h"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/signals.h"
#include "cli/terminal.h"

namespace crilet::cli {

RemoteCommandOptions ChooseStreams(bool stdin_flag, bool tty_flag, bool stdin_is_terminal, std::string* warning) {
  RemoteCommandOptions o;
  o.stdin = stdin_flag;
  o.tty = stdin_flag && tty_flag;
  if (o.tty && !stdin_is_terminal) {
    o.tty = false;
    *warning = "Unable to use a TTY - input is not a terminal or the right kind of file";
  }
  o.stderr = !o.tty;
  return o;
}

int SessionExit(const Status& session, const RemoteCommandResult& result, std::string* message) {
  if (!session.ok()) {
    *message = "error: " + session.message();
    return 1;
  }
  if (!result.error.empty()) {
    *message = "error: " + result.error;
    return 1;
  }
  if (result.exit_code != 0) *message = "command terminated with exit code " + std::to_string(result.exit_code);
  return result.exit_code;
}

int RunInteractive(const std::string& url, const RemoteCommandOptions& opts, int stop_fd) {
  RemoteCommandIo io;
  io.stop_fd = stop_fd;
  std::unique_ptr<RawTerminal> raw;
  std::unique_ptr<SignalFd> changes;
  if (opts.tty) {
    // Raw only when our keys go to the remote terminal; otherwise Ctrl-C still ends crilet.
    if (opts.stdin) raw = std::make_unique<RawTerminal>(STDIN_FILENO);
    changes = std::make_unique<SignalFd>(SignalSet({SIGWINCH}));  // blocked by the command (see signals.h)
    io.resize_fd = changes->fd();
    io.size = [] {
      auto s = GetTerminalSize(STDOUT_FILENO);
      return s ? s : GetTerminalSize(STDIN_FILENO);
    };
  }
  RemoteCommandResult result;
  Status s = RunRemoteCommand(url, opts, io, &result);
  raw.reset();  // the terminal is back to normal before anything is printed
  std::string message;
  int code = SessionExit(s, result, &message);
  if (!message.empty()) std::cerr << message << "\n";
  return code;
}

}  // namespace crilet::cli
