// Root advice for permission errors.
#include "common/privilege.h"

#include <unistd.h>

#include <cerrno>

namespace crilet {

std::string RootAdvice(int err, uint32_t euid, const std::string& what) {
  if ((err != EACCES && err != EPERM) || euid == 0) return "";
  return "; run as root (e.g. with sudo): " + what + " is root's";
}

std::string RootAdvice(int err, const std::string& what) { return RootAdvice(err, ::geteuid(), what); }

}  // namespace crilet
