/// Tar streams for crilet cp, on libarchive: packing a local file or tree under a new name, unpacking a pod's tar safely.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

// Writes a tar of `src` (a file, a symlink or a directory tree) to `out_fd`, its entries named `entry_name`
// and below, as kubectl's makeTar: files with their mode, symlinks as links, empty directories as entries.
Status WriteTar(const std::string& src, const std::string& entry_name, int out_fd);

// Reads the tar in `in_fd` (what `tar cf - SRC` printed in the pod) into `dest`, as kubectl's untarAll:
// every entry must start with `prefix`; an entry that would land outside `dest` and every symlink are
// skipped with a warning (kubectl's words) in *warnings; directories are made as needed.
Status ExtractTar(int in_fd, const std::string& prefix, const std::string& dest, std::vector<std::string>* warnings);

}  // namespace crilet::cli
