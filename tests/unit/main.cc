// Catch2 runner for crilet's unit tests; agent logs are silenced unless CRILET_TEST_LOG is set.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>

int main(int argc, char* argv[]) {
  // As the daemon does (cli/run_command.cc): the TLS tests' client and server share this process, and one
  // side writing after the other gave up (a timeout under a slow sanitizer build) must not kill the run.
  std::signal(SIGPIPE, SIG_IGN);
  if (!std::getenv("CRILET_TEST_LOG")) spdlog::set_level(spdlog::level::off);
  return Catch::Session().run(argc, argv);
}
