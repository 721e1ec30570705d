// Catch2 runner for crilet's unit tests; agent logs are silenced unless CRILET_TEST_LOG is set.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>

int main(int argc, char* argv[]) {
  if (!std::getenv("CRILET_TEST_LOG")) spdlog::set_level(spdlog::level::off);
  return Catch::Session().run(argc, argv);
}
