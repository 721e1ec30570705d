/// `crilet completion bash|zsh`: a shell script completing subcommands, their flags and pod names; pure.
#pragma once

#include <string>

namespace crilet::cli {

// The script for `shell` ("bash" or "zsh"; zsh loads the bash function through bashcompinit, as many tools do),
// "" for another shell. Pod names come from `crilet get pods -A -o name` when completion runs.
std::string CompletionScript(const std::string& shell);

int CompletionCommand(int argc, char** argv);

}  // namespace crilet::cli
