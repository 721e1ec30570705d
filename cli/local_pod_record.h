/// LocalPodRecord: a pod's record as the agent would publish it, computed from its manifest, the runtime's state and its checkpoint (pure).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/api_status.h"
#include "agent/checkpoint.h"
#include "agent/observed.h"
#include "common/clock.h"
#include "cri/types.h"
#include "manifests/pod.h"

namespace crilet::cli {

struct LocalPodInput {
  const manifests::Pod* pod = nullptr;
  const agent::ObservedPod* observed = nullptr;
  const agent::PodCheckpoint* checkpoint = nullptr;  // the agent's <root-dir>/pods/<uid>/checkpoint.json
  const std::map<std::string, std::string>* termination_messages = nullptr;  // by container ID; may be null
  std::string host_ip;
  Duration crash_backoff_initial = std::chrono::seconds(10);
  Duration crash_backoff_max = std::chrono::seconds(300);
  TimePoint now;
};

// What the agent's last publish would say, as far as the runtime and the checkpoint tell it: the planner
// with the checkpoint's crash backoff gives CrashLoopBackOff and DeadlineExceeded, the checkpoint gives the
// start time, readiness and conditions' transition times. Image pull failures and events live only in the
// agent's memory, so they are not there.
agent::PodRecord LocalPodRecord(const LocalPodInput& in);

// A pod whose manifest is gone while its sandbox still runs: the agent is stopping it, and the status
// server lists it as Terminating until it is gone. Its spec is what the runtime knows: the sandbox's
// identity and labels and one container per name it ran.
manifests::Pod DepartingPod(const cri::Sandbox& sandbox, const agent::ObservedPod& observed,
                            const std::string& node_name);

// Which crilet on the runtime the CLI is reading, and the node name it gives its pods: the daemon may run
// with --root-dir and --hostname-override, which no config file holds, so its sandboxes' io.crilet.root-dir
// and io.crilet.node-name labels tell. The instance with the configured root dir if it has sandboxes, else
// the one of the newest labelled sandbox; the configured values when no sandbox is labelled.
struct InstanceIdentity {
  std::string root_dir;
  std::string node_name;
  bool operator==(const InstanceIdentity&) const = default;
};
InstanceIdentity FindInstance(const std::vector<cri::Sandbox>& sandboxes, const InstanceIdentity& configured);

}  // namespace crilet::cli
