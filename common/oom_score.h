/// ApplyOomScoreAdj: sets a process's oom_score_adj, as kubelet's oom.ApplyOOMScoreAdj (pkg/util/oom).
#pragma once

#include <string>

#include "common/status.h"

namespace crilet {

// Kubelet's --oom-score-adj default: the node agent is among the last processes the kernel kills.
inline constexpr int kKubeletOomScoreAdj = -999;

// Writes `value` to <proc_root>/<pid>/oom_score_adj (pid 0 = this process, "self"). Lowering the value needs
// CAP_SYS_RESOURCE; without it the kernel answers EACCES and the error says so. Kubelet logs such a failure
// once and carries on; callers should too.
Status ApplyOomScoreAdj(int pid, int value, const std::string& proc_root = "/proc");

}  // namespace crilet
