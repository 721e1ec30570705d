/// The Pod `kubectl run NAME --image IMAGE ...` builds, from its flags; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

struct RunPodFlags {
  std::string name;
  std::string image;
  std::string ns;                  // "" = default (no metadata.namespace, as kubectl run leaves it)
  std::string restart = "Always";  // Always, OnFailure, Never
  std::vector<std::string> env;    // K=V
  std::string port;                // "" or 1-65535
  std::string labels;              // "k=v,k2=v2"; "" = run=NAME
  bool command = false;            // the words after -- are the command, not the args
  std::vector<std::string> words;  // after --
  std::string image_pull_policy;   // "" = not set
};

// The pod as `kubectl run --dry-run=client -o yaml` prints it (labels, one container named NAME, env, ports,
// args or command, restartPolicy, dnsPolicy ClusterFirst). Errors in kubectl's words for bad flags.
Status BuildRunPod(const RunPodFlags& flags, nlohmann::json* pod);

// Whether `crilet run ARGS` is kubectl's run (it has --image or --image=... before any "--"), not the daemon.
bool IsKubectlRun(const std::vector<std::string>& args);

}  // namespace crilet::cli
