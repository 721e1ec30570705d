/// kubelet's AtomicWriter: projects a set of files into a volume directory so readers never see a half-written set.
#pragma once

#include <string>

#include "agent/volume_projection.h"
#include "common/clock.h"
#include "common/status.h"

namespace crilet::agent {

// Layout (as kubelet's pkg/volume/util/atomic_writer.go):
//   <dir>/..<stamp>.XXXXXX/   the files of one version, with their modes
//   <dir>/..data -> ..<stamp>.XXXXXX   swapped with rename(2) of a fresh "..data_tmp" symlink
//   <dir>/<top> -> ..data/<top>        one symlink per top-level path component
// Files no longer in `payload` disappear; the old version dir is removed after the swap. When the current version
// already holds exactly `payload` (bytes and modes), nothing is written and *changed is false.
// `stamp` names the version (the caller formats its clock as kubelet does: 2006_01_02_15_04_05.000000000).
Status WriteAtomically(const std::string& dir, const Projection& payload, const std::string& stamp, bool* changed);

// kubelet's version stamp of `t` in UTC: "2006_01_02_15_04_05.000000000".
std::string VersionStamp(TimePoint t);

// The version dir `..data` points at, "" when none.
std::string CurrentVersionDir(const std::string& dir);

}  // namespace crilet::agent
