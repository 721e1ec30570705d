/// The local terminal for `exec -it` and `attach -it`: raw mode for the session and its size (SIGWINCH: cli/signals.h).
#pragma once

#include <termios.h>

#include <optional>

namespace crilet::cli {

struct TerminalSize {
  unsigned short width = 0;
  unsigned short height = 0;
};

bool IsTerminal(int fd);
std::optional<TerminalSize> GetTerminalSize(int fd);

// Puts `fd` in raw mode (no echo, no line editing, no signals: Ctrl-C and Ctrl-D go to the remote terminal)
// and restores the saved mode when destroyed.
class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace crilet::cli
