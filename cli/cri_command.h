/// `crilet cri pods|ps|images`: what the runtime holds, read through CRI (a small crictl for machines without one).
#pragma once

namespace crilet::cli {

int CriCommand(int argc, char** argv);

}  // namespace crilet::cli
