// Atomic manifest writes: temp file, fsync, rename.
#include "cli/manifest_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "manifests/dir_source.h"
#include "manifests/manifest_file.h"

namespace crilet::cli {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::Internal("cannot " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string TemporaryName(const std::string& file_name) { return ".crilet-apply." + file_name + ".tmp"; }

Status WriteManifestAtomically(const std::string& dir, const std::string& file_name, const std::string& content,
                               unsigned mode) {
  const std::string target = dir + "/" + file_name;
  const std::string temp = dir + "/" + TemporaryName(file_name);
  // O_EXCL after an unlink: a leftover of a killed apply is replaced, a symlink planted there is not followed.
  ::unlink(temp.c_str());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 0777);
  if (fd < 0) return Errno("create", temp);
  auto fail = [&](const std::string& what) {
    Status s = Errno(what, temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return s;
  };
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    done += static_cast<size_t>(n);
  }
  // The umask may have cleared bits of `mode`; the file gets exactly `mode`.
  if (::fchmod(fd, mode & 0777) != 0) return fail("chmod");
  if (::geteuid() == 0 && ::fchown(fd, 0, 0) != 0) return fail("chown");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    Status s = Errno("close", temp);
    ::unlink(temp.c_str());
    return s;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    Status s = Errno("rename to " + target + ":", temp);
    ::unlink(temp.c_str());
    return s;
  }
  // The rename is durable once the directory is synced.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status ReadExisting(const std::string& path, std::optional<std::string>* out) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return Errno("stat", path);
    *out = std::nullopt;
    return Status::Ok();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Errno("read", path);
  std::ostringstream data;
  data << in.rdbuf();
  *out = data.str();
  return Status::Ok();
}

Status ListManifestDir(const std::string& dir, std::vector<ManifestDirFile>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Status::InvalidArgument("cannot list the manifest directory " + dir + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& n : names) {
    if (manifests::IgnoredManifestName(n)) continue;
    const std::string path = dir + "/" + n;
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    std::string data, error;
    if (!manifests::ReadManifestFile(path, &data, &info, &error)) continue;
    out->push_back({n, std::move(data)});
  }
  return Status::Ok();
}

}  // namespace crilet::cli
