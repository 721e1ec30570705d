// Following a CRI log file across rotation (see log_follower.h for why the renamed file drains first).
#include "cli/log_follower.h"

#include <sys/stat.h>

#include <utility>

namespace crilet::cli {
namespace {

std::string ReadFrom(std::ifstream& in) {
  std::string out;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) out.append(buf, static_cast<size_t>(in.gcount()));
  in.clear();  // at end of file: clear eof so the next read sees what the writer adds
  return out;
}

ino_t Inode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

LogFollower::LogFollower(std::string path, Duration settle) : path_(std::move(path)), settle_(settle) {}

bool LogFollower::Open() {
  current_.open(path_, std::ios::binary);
  current_inode_ = Inode(path_);
  return static_cast<bool>(current_);
}

std::string LogFollower::Poll(TimePoint now) {
  std::string out = ReadFrom(current_);
  if (!draining_) {
    ino_t at_path = Inode(path_);
    // 0: between the rename and the reopen there is no file at the path yet.
    if (at_path == 0 || at_path == current_inode_) return out;
    next_.open(path_, std::ios::binary);
    if (!next_) return out;  // gone again before we could open it: look on the next poll
    next_inode_ = Inode(path_);
    draining_ = true;
    last_growth_ = now;
    return out;
  }
  if (!out.empty()) last_growth_ = now;
  if (now - last_growth_ < settle_) return out;
  out += ReadFrom(current_);
  SwitchToNext();
  out += ReadFrom(current_);
  return out;
}

std::string LogFollower::Finish() {
  std::string out = ReadFrom(current_);
  if (draining_) {
    SwitchToNext();
    out += ReadFrom(current_);
  }
  return out;
}

void LogFollower::SwitchToNext() {
  current_.close();
  current_.swap(next_);
  current_inode_ = next_inode_;
  draining_ = false;
}

}  // namespace crilet::cli
