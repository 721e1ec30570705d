// Writing /proc/<pid>/oom_score_adj, with the kernel's refusal turned into a readable error.
#include "common/oom_score.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crilet {

Status ApplyOomScoreAdj(int pid, int value, const std::string& proc_root) {
  if (value < -1000 || value > 1000) {
    return Status::InvalidArgument("oom_score_adj " + std::to_string(value) + " is outside -1000..1000");
  }
  std::string path = proc_root + "/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/oom_score_adj";
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("open " + path + ": " + std::strerror(errno));
  std::string text = std::to_string(value);
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    std::string why = std::strerror(err);
    if (err == EACCES || err == EPERM) why += " (lowering it needs CAP_SYS_RESOURCE, which this host does not give)";
    return Status::Internal("write " + text + " to " + path + ": " + why);
  }
  return Status::Ok();
}

}  // namespace crilet
