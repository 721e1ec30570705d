// exec probes through the fake runtime's ExecSync.
#include <catch2/catch.hpp>

#include "cri/fake_runtime.h"
#include "probes/exec_prober.h"

using namespace crilet;
using namespace crilet::probes;

namespace {

struct ExecFixture {
  ExecFixture() : rt(&clock) {
    rt.AddImage("i");
    cri::SandboxConfig sc;
    rt.RunPodSandbox(sc, &sandbox);
    cri::ContainerConfig cc;
    cc.name = "c";
    cc.image = "i";
    rt.CreateContainer(sandbox, cc, sc, &id);
    rt.StartContainer(id);
    rt.exec_handler = [this](const std::string&, const std::vector<std::string>& cmd) {
      seen = cmd;
      cri::ExecResult r;
      if (cmd.back() == "ok") return r;
      r.exit_code = 1;
      if (cmd.back() == "quiet") return r;
      if (cmd.back() == "loud") {
        r.stdout_data = std::string(8 * 1024, 'o');
        r.stderr_data = std::string(8 * 1024, 'e');
        return r;
      }
      r.stdout_data = "not ready ";
      r.stderr_data = "yet\n";
      return r;
    };
  }
  FakeClock clock;
  cri::FakeRuntime rt;
  std::string sandbox, id;
  std::vector<std::string> seen;
};

}  // namespace

TEST_CASE("exec probe: exit codes, output, timeouts, runtime errors", "[probes][exec]") {
  ExecFixture f;
  auto ok = ExecProbe(&f.rt, f.id, {"check", "ok"}, std::chrono::seconds(1));
  CHECK(ok.result == Result::kSuccess);
  CHECK_FALSE(ok.error);

  auto bad = ExecProbe(&f.rt, f.id, {"check", "bad"}, std::chrono::seconds(1));
  CHECK(bad.result == Result::kFailure);
  CHECK(bad.output == "not ready yet\n");  // stdout then stderr, as kubelet combines them

  auto quiet = ExecProbe(&f.rt, f.id, {"check", "quiet"}, std::chrono::seconds(1));
  CHECK(quiet.result == Result::kFailure);
  CHECK(quiet.output.empty());  // kubelet's event then reads "Liveness probe failed: "

  auto loud = ExecProbe(&f.rt, f.id, {"check", "loud"}, std::chrono::seconds(1));
  CHECK(loud.output.size() == 10 * 1024);

  f.rt.InjectError("ExecSync", Status::DeadlineExceeded("ExecSync c: rpc error: deadline exceeded"));
  auto slow = ExecProbe(&f.rt, f.id, {"sleep", "10"}, std::chrono::seconds(1));
  CHECK(slow.result == Result::kFailure);
  CHECK_FALSE(slow.error);
  CHECK(slow.output == "command \"sleep 10\" timed out");

  // containerd may report an exec timeout with code Unknown and its own words.
  f.rt.InjectError("ExecSync", Status(Code::kUnknown, "ExecSync c: timeout 1s exceeded: context deadline exceeded"));
  CHECK(ExecProbe(&f.rt, f.id, {"sleep", "10"}, std::chrono::seconds(1)).output == "command \"sleep 10\" timed out");

  f.rt.ExitContainer(f.id, 0);
  auto gone = ExecProbe(&f.rt, f.id, {"check", "ok"}, std::chrono::seconds(1));
  CHECK(gone.error);  // could not run: retried by the manager, then dropped
  CHECK(gone.result == Result::kUnknown);
  // Kubelet's text is the runtime's gRPC error as grpc-go prints it, without crilet's call name.
  CHECK(gone.output == "rpc error: code = Unknown desc = container is not running");
}

TEST_CASE("exec probe command: $(VAR) from literal env values only", "[probes][exec]") {
  manifests::Container c;
  manifests::EnvVar port;
  port.name = "PORT";
  port.value = "8080";
  manifests::EnvVar ip;
  ip.name = "IP";
  ip.field_ref = manifests::ObjectFieldSelector{"v1", "status.podIP"};
  c.env = {port, ip};
  CHECK(ExpandProbeCommand({"wget", "localhost:$(PORT)", "$(IP)", "$$(PORT)", "$(MISSING)"}, c) ==
        std::vector<std::string>{"wget", "localhost:8080", "$(IP)", "$(PORT)", "$(MISSING)"});
}
