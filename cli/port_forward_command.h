/// `crilet port-forward POD [LOCAL:]REMOTE...`: local ports to a pod's ports over CRI PortForward, as kubectl port-forward.
#pragma once

namespace crilet::cli {

int PortForwardCommand(int argc, char** argv);

}  // namespace crilet::cli
