/// `crilet run NAME --image IMAGE ... [-- ARGS]`: kubectl run, writing the pod into the local crilet's manifest directory.
#pragma once

namespace crilet::cli {

// main.cc sends `crilet run` here when its arguments hold --image (IsKubectlRun); else it runs the daemon.
int RunPodCommand(int argc, char** argv);

}  // namespace crilet::cli
