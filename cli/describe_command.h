/// `crilet describe pod NAME`: a pod's spec summary, conditions, container states, probes and events (kubectl style).
#pragma once

#include "cli/pod_description.h"

namespace crilet::cli {

int DescribeCommand(int argc, char** argv);

}  // namespace crilet::cli
