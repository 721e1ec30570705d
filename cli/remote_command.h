/// Running exec and attach sessions over the streaming server's URL (SPDY, v4.channel.k8s.io), as kubectl's remotecommand client.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cli/terminal.h"
#include "common/status.h"

namespace crilet::cli {

// The streams the CRI Exec or Attach request asked for: the server expects exactly these.
struct RemoteCommandOptions {
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;  // ignored with tty: the terminal carries both
  bool tty = false;
};

struct RemoteCommandIo {
  int in = 0;
  int out = 1;
  int err = 2;
  int resize_fd = -1;  // readable when the local terminal changed size (a SignalFd for SIGWINCH), -1 = none
  int stop_fd = -1;    // readable when the session must end at once (a SignalFd for StopSignalSet()), -1 = none
  std::function<std::optional<TerminalSize>()> size;  // the local terminal's size now
};

struct RemoteCommandResult {
  int exit_code = 0;  // the command's exit code (kubectl's CodeExitError)
  std::string error;  // set for any other failure the server reported ("" when none)
};

// The v4 protocol's last word on the error stream: "" or {"status":"Success"} is exit 0; reason
// NonZeroExitCode carries the code in details.causes[reason=ExitCode].message; anything else is an error with
// the server's message (kubectl prints it after "error: ").
RemoteCommandResult ParseRemoteStatus(std::string_view error_stream);

// {"Width":W,"Height":H}, what the resize stream carries per change.
std::string TerminalSizeMessage(const TerminalSize& size);

// Dials `url`, opens the streams `opts` names, copies io.in to stdin (closing it at EOF), the server's
// stdout and stderr to io.out and io.err, sends the size on each change, and returns when the server has
// said how the command ended. A Status error only when the session could not run or broke off, and
// Unavailable "interrupted" when io.stop_fd became readable.
Status RunRemoteCommand(const std::string& url, const RemoteCommandOptions& opts, const RemoteCommandIo& io,
                        RemoteCommandResult* result);

}  // namespace crilet::cli
