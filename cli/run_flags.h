/// ParseRunFlags: crilet run's command line read as kubelet's pflag reads it (the last repeat wins, kubelet's errors).
#pragma once

#include <string>
#include <vector>

#include "cli/daemon_config.h"

namespace crilet::cli {

struct RunFlagsParse {
  RunFlags flags;
  bool help = false;     // -h / --help: print RunFlagsHelp() and exit 0
  bool version = false;  // --version
  // "" or kubelet's one-line message, e.g. "failed to parse kubelet flag: unknown flag: --foo" (printed after
  // "Error: ", exit status 1, as kubelet does).
  std::string error;
};

// `args` excludes the program name. Like pflag: `--name value`, `--name=value`, `-v 2`, `-v=2`, `-v2`; a bool
// flag alone is true (`--exit-watcher=false` to unset); a scalar flag given twice keeps the last value
// (kubeadm's drop-in appends $KUBELET_EXTRA_ARGS after $KUBELET_KUBEADM_ARGS); a list flag accumulates
// (--cluster-dns also splits on commas); `--` ends the flags. Kubelet flags crilet does not implement are
// accepted and named in flags.ignored_flags; any other flag, or a word that is not a flag, is an error.
RunFlagsParse ParseRunFlags(const std::vector<std::string>& args);

// The --help text: every flag crilet acts on, then the kubelet flags it accepts and ignores.
std::string RunFlagsHelp();

}  // namespace crilet::cli
