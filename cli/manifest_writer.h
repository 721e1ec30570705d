/// Writing and removing the manifest files `crilet apply` owns, atomically, with the owner and mode crilet run accepts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/apply_objects.h"
#include "common/status.h"

namespace crilet::cli {

// The temporary name a file is written under before the rename: a dot-name ending in .tmp, which the
// daemon's directory source skips (manifests::IgnoredManifestName), so it never loads a half-written file.
std::string TemporaryName(const std::string& file_name);

// Writes `content` to dir/file_name: a temporary file in the same directory, fsync, chmod `mode`, chown
// root when run as root (crilet refuses manifests other users can write), rename, fsync of the directory.
// Readers see the old file or the new one, never a part.
Status WriteManifestAtomically(const std::string& dir, const std::string& file_name, const std::string& content,
                               unsigned mode);

// The file's bytes, or nullopt when it does not exist; other failures are errors.
Status ReadExisting(const std::string& path, std::optional<std::string>* out);

// The files of the manifest directory the daemon reads (not the names it skips, regular files only), with
// their bytes.
Status ListManifestDir(const std::string& dir, std::vector<ManifestDirFile>* out);

}  // namespace crilet::cli
