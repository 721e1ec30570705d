/// `crilet delete -f FILE|DIR|- | delete pod|configmap|secret|pvc|pv NAME`: removes the files crilet apply wrote, then waits for the pods to go.
#pragma once

namespace crilet::cli {

int DeleteCommand(int argc, char** argv);

}  // namespace crilet::cli
