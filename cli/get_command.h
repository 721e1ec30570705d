/// `crilet get pods [NAME] [-o wide|json|yaml]`: pods of a running agent, in kubectl's style.
#pragma once

namespace crilet::cli {

int GetCommand(int argc, char** argv);


}  // namespace crilet::cli
