/// The command-line entry: dispatches `crilet run|get|describe|logs|exec|validate|version`.
#pragma once

namespace crilet::cli {

int Main(int argc, char** argv);

}  // namespace crilet::cli
