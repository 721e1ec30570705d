// How long crilet waits for the runtime's answer to an ExecSync: kubelet's timeout + runtimeRequestTimeout.
#include <catch2/catch.hpp>

#include "cri/grpc_runtime.h"

using namespace std::chrono_literals;

TEST_CASE("ExecSync deadline: the command's timeout plus the request timeout, as kubelet's", "[cri]") {
  // It used to be timeout + 10 s: containerd 1.6 answered a timed-out 100 MiB print after ~20 s, by which
  // time crilet had given up and started the next run, so runs piled up in the runtime.
  CHECK(crilet::cri::ExecDeadline(2s, 2min) == 122s);
  CHECK(crilet::cri::ExecDeadline(1s, 30s) == 31s);
  CHECK(crilet::cri::ExecDeadline(0s, 2min) == 2min);  // no command timeout: the request timeout alone
}
