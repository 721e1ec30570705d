// Raw mode and window size for the local terminal of an interactive session.
#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace crilet::cli {

bool IsTerminal(int fd) { return isatty(fd) == 1; }

std::optional<TerminalSize> GetTerminalSize(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return std::nullopt;
  return TerminalSize{ws.ws_col, ws.ws_row};
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (tcgetattr(fd_, &saved_) != 0) return;
  termios raw = saved_;
  cfmakeraw(&raw);
  active_ = tcsetattr(fd_, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
  if (active_) tcsetattr(fd_, TCSANOW, &saved_);
}

}  // namespace crilet::cli
