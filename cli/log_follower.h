/// LogFollower: reads one CRI log path as it grows and across rotation, in order and without losing lines.
#pragma once

#include <sys/types.h>

#include <fstream>
#include <string>

#include "common/clock.h"

namespace crilet::cli {

// Rotation renames the log and asks the runtime to reopen the path. containerd creates the new file before
// it moves its writer over, so the renamed file can still grow for a few milliseconds after the new one
// appears (at a fast writer's pace, hundreds of lines). The follower therefore opens the new file as soon as
// it sees it, keeps reading the renamed one until that has been quiet for `settle`, and only then continues
// with the new file from its start. Time comes in as an argument, so tests drive it by hand.
class LogFollower {
 public:
  LogFollower(std::string path, Duration settle);

  // Opens the path; false if it cannot be read.
  bool Open();
  // Everything new since the last call, in write order.
  std::string Poll(TimePoint now);
  // Everything left, without waiting for a renamed file to settle (the container has stopped).
  std::string Finish();

 private:
  std::string path_;
  Duration settle_;
  std::ifstream current_;
  ino_t current_inode_ = 0;
  std::ifstream next_;  // the file now at path_, while current_ (renamed) still drains
  ino_t next_inode_ = 0;
  bool draining_ = false;
  TimePoint last_growth_{};

  void SwitchToNext();
};

}  // namespace crilet::cli
