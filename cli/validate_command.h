/// `crilet validate FILE...`: prints each file's normalized pods (defaults applied) or its errors.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::cli {

// Exit status 0 when every file is valid, 1 otherwise; every error of every file is reported. `node` names the node
// for the static name suffix. `args` are files, directories (their *.yaml, *.yml, *.json) or "-" (standard
// input, named STDIN). With `json`, `out` gets one document: {valid, errors, warnings, kind: List, items: pods}.
int RunValidate(const std::vector<std::string>& args, const std::string& node, std::ostream& out, std::ostream& err,
                bool json = false);

// Warnings for what the pods name but the files do not hold: imagePullSecrets and non-optional ConfigMaps and
// Secrets of volumes ("FILE: pod NS/NAME: spec.volumes[0]: configmap \"x\" is not in the files given; ...").
std::vector<std::string> MissingReferences(const std::vector<manifests::Pod>& pods, const manifests::LocalObjects& objects);

int ValidateCommand(int argc, char** argv);

}  // namespace crilet::cli
