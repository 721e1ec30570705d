/// `crilet cp SRC DEST`: files between this host and a container, tar through exec, as kubectl cp.
#pragma once

namespace crilet::cli {

int CpCommand(int argc, char** argv);

}  // namespace crilet::cli
