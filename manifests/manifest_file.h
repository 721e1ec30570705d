/// ReadManifestFile: one manifest file's bytes, read so that no FIFO, device or huge file can block crilet
/// or make it read without end.
#pragma once

#include <sys/stat.h>

#include <string>

namespace crilet::manifests {

// "fifo", "socket", "character device", "block device", "directory", "symlink", "regular file", "unknown".
std::string FileKind(mode_t mode);

// "not a regular file (fifo)" when `info` is not a regular file; "" when it is.
std::string NotRegularProblem(const struct stat& info);

// Opens `path` with O_RDONLY|O_NONBLOCK|O_CLOEXEC (a FIFO opens at once and is then refused), fstats the
// descriptor, requires a regular file and reads at most kMaxManifestBytes + 1 bytes. On success fills
// `data` and `info` (the descriptor's stat, for callers that judge the file that was really read); else
// says why in `error` ("not a regular file (fifo)", "larger than 1048576 bytes, ...", "cannot read: ...").
// Callers that must not even open a device (opening some has side effects) stat the path first and call
// this only for regular files.
bool ReadManifestFile(const std::string& path, std::string* data, struct stat* info, std::string* error);

}  // namespace crilet::manifests
