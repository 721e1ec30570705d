/// crilet top pods|node: kubectl top's resource usage tables, from the status server's /stats/summary.
#pragma once

namespace crilet::cli {

int TopCommand(int argc, char** argv);

}  // namespace crilet::cli
