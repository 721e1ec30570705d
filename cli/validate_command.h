/// `crilet validate FILE...`: prints each file's normalized pods (defaults applied) or its errors.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace crilet::cli {

// Exit status 0 when every file is valid, 1 otherwise. `node` names the node for the static name suffix.
int RunValidate(const std::vector<std::string>& files, const std::string& node, std::ostream& out, std::ostream& err);

int ValidateCommand(int argc, char** argv);

}  // namespace crilet::cli
