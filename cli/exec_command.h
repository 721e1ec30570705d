/// `crilet exec POD [-c C] [-i] [-t] -- CMD...`: a command in a container over CRI streaming, as kubectl exec.
#pragma once

namespace crilet::cli {

int ExecCommand(int argc, char** argv);

}  // namespace crilet::cli
