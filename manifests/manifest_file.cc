// Bounded, non-blocking reads of manifest files.
#include "manifests/manifest_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "manifests/yaml_guard.h"

namespace crilet::manifests {

std::string FileKind(mode_t mode) {
  if (S_ISREG(mode)) return "regular file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISLNK(mode)) return "symlink";
  return "unknown";
}

std::string NotRegularProblem(const struct stat& info) {
  return S_ISREG(info.st_mode) ? "" : "not a regular file (" + FileKind(info.st_mode) + ")";
}

bool ReadManifestFile(const std::string& path, std::string* data, struct stat* info, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    *error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = false;
  if (::fstat(fd, &st) != 0) {
    *error = std::string("cannot read: ") + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = NotRegularProblem(st);
  } else {
    // The size in st is only a hint (the file may grow while it is read); the limit bounds the read.
    std::string buf;
    buf.resize(std::min<size_t>(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), kMaxManifestBytes) + 1);
    size_t got = 0;
    while (true) {
      if (got == buf.size()) {
        if (buf.size() > kMaxManifestBytes) break;
        buf.resize(std::min(buf.size() * 2, kMaxManifestBytes + 1));
      }
      ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::string("cannot read: ") + std::strerror(errno);
        break;
      }
      if (n == 0) {
        ok = true;
        break;
      }
      got += static_cast<size_t>(n);
    }
    if (got > kMaxManifestBytes) {
      *error = "larger than " + std::to_string(kMaxManifestBytes) + " bytes, the limit for a manifest";
      ok = false;
    } else if (ok) {
      buf.resize(got);
      *data = std::move(buf);
    }
  }
  ::close(fd);
  if (ok && info) *info = st;
  return ok;
}

}  // namespace crilet::manifests
