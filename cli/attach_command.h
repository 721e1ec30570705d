/// `crilet attach POD [-c C] [-i] [-t]`: the container's own stdin and output over CRI Attach, as kubectl attach.
#pragma once

namespace crilet::cli {

int AttachCommand(int argc, char** argv);

}  // namespace crilet::cli
