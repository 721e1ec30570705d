/// `crilet exec POD [-c C] -- CMD...`: runs a command in a container through CRI ExecSync.
#pragma once

namespace crilet::cli {

int ExecCommand(int argc, char** argv);

}  // namespace crilet::cli
