// crilet's entry point: hands the command line to the CLI dispatcher.
#include "cli/main.h"

int main(int argc, char** argv) { return crilet::cli::Main(argc, argv); }
