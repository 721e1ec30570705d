/// `crilet apply -f FILE|DIR|URL|-`: validates manifests and writes one file per object into the local crilet's manifest directory.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/manifest_inputs.h"

namespace crilet::cli {

// Validates every input with the loader crilet run uses; on any error prints them all (as crilet validate
// does) and writes nothing (exit 1). Else writes each object to `dir` atomically and prints kubectl's
// "pod/web created|configured|unchanged". `node` names the node, for the static names validation checks.
// Exit status 0 or 1.
int ApplyManifests(const std::vector<ManifestInput>& inputs, const std::string& dir, const std::string& node,
                   std::ostream& out, std::ostream& err);

int ApplyCommand(int argc, char** argv);

}  // namespace crilet::cli
