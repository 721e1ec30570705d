/// `crilet get pods|all|configmaps|secrets|pvc|events [NAME] [-o ...] [-w]`: objects of a running agent, in kubectl's style.
#pragma once

namespace crilet::cli {

int GetCommand(int argc, char** argv);


}  // namespace crilet::cli
