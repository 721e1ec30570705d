/// `crilet debug POD --image IMAGE [--target C] [-it] [-- CMD]`: a temporary container in a pod's sandbox, as kubectl debug.
#pragma once

namespace crilet::cli {

int DebugCommand(int argc, char** argv);

}  // namespace crilet::cli
