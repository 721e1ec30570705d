/// The local terminal for `exec -it` and `attach -it`: raw mode for the session, its size, and SIGWINCH as a pollable fd.
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

// Blocks SIGWINCH in the calling thread and so in every thread it starts later. Call it first thing, before
// a gRPC channel starts its threads: a thread with SIGWINCH unblocked would take the signal and drop it.
void BlockWindowChangeSignal();

// A signalfd that becomes readable on each SIGWINCH (blocked by BlockWindowChangeSignal); -1 when it cannot
// be made. Drain() empties it.
class WindowChanges {
 public:
  WindowChanges();
  ~WindowChanges();
  WindowChanges(const WindowChanges&) = delete;
  WindowChanges& operator=(const WindowChanges&) = delete;
  int fd() const { return fd_; }
  void Drain();

 private:
  int fd_ = -1;
};

}  // namespace crilet::cli

namespace crilet::cli {

// SIGINT, SIGTERM and SIGHUP as a pollable fd, for a command that must clean up before it ends (crilet
// debug removes its container). Block() them first thing, before any thread starts, as for SIGWINCH.
class StopSignals {
 public:
  static void Block();
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace crilet::cli
