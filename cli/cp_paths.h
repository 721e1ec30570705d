/// kubectl cp's path rules: [[namespace/]pod:]path specs, the tar names sent and the local names extracted.
#pragma once

#include <string>

#include "common/status.h"

namespace crilet::cli {

struct FileSpec {
  std::string ns;   // "" = the -n namespace
  std::string pod;  // "" = a local path
  std::string path;
};

// "pod:/tmp/x", "ns/pod:/tmp/x" or a local path; ":x" and "a/b/c:x" are errors (kubectl's words).
Status ExtractFileSpec(const std::string& arg, FileSpec* out);

// kubectl's checks on the pair: one side in a pod, the other local, neither path empty.
Status CheckCopyPair(const FileSpec& src, const FileSpec& dest);

// path.Clean of a slash path (Go's rules: "a/../b" -> "b", "" -> ".", trailing slashes dropped).
std::string CleanPath(const std::string& p);

// Copying to a pod: the tar's top entry name and the directory tar extracts in (-C), from kubectl's
// makeTar and copyToPod. `dest_is_dir`: `test -d DEST` succeeded in the container.
struct ToPodPlan {
  std::string entry_name;  // the source's entries go under this name
  std::string extract_dir; // "" = the container's working directory
};
ToPodPlan PlanCopyToPod(const std::string& local_src, const std::string& remote_dest, bool dest_is_dir);

// Copying from a pod: the prefix every tar entry must have (stripPathShortcuts of the cleaned source
// without its leading slash).
std::string CopyFromPodPrefix(const std::string& remote_src);

// Where a tar entry goes: dest joined with the entry's name after `prefix`, cleaned; false when that lands
// outside `dest` (a hostile "../" entry), which kubectl skips with a warning.
bool LocalTarget(const std::string& dest, const std::string& prefix, const std::string& entry, std::string* out);

}  // namespace crilet::cli
