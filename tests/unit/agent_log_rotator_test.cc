// LogRotator against the fake runtime: size-triggered rotation, and one ContainerStatus per container.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/log_rotator.h"
#include "cri/fake_runtime.h"

using namespace crilet;
namespace fs = std::filesystem;

namespace {

struct RotatorFixture {
  FakeClock clock;
  cri::FakeRuntime rt{&clock};
  fs::path dir = fs::temp_directory_path() / ("crilet-rotator-" + std::to_string(getpid()));
  std::string sandbox_id;

  RotatorFixture() {
    fs::remove_all(dir);
    fs::create_directories(dir / "c");
    cri::SandboxConfig sc;
    sc.metadata = {"p", "uid-1", "default", 0};
    sc.log_directory = dir.string();
    REQUIRE(rt.RunPodSandbox(sc, &sandbox_id).ok());
    rt.AddImage("busybox");
  }
  ~RotatorFixture() { fs::remove_all(dir); }

  std::string RunContainer(const std::string& name, int attempt) {
    cri::SandboxConfig sc;
    sc.log_directory = dir.string();
    cri::ContainerConfig cc;
    cc.name = name;
    cc.attempt = static_cast<uint32_t>(attempt);
    cc.image = "busybox";
    cc.log_path = "c/" + std::to_string(attempt) + ".log";
    std::string id;
    REQUIRE(rt.CreateContainer(sandbox_id, cc, sc, &id).ok());
    REQUIRE(rt.StartContainer(id).ok());
    return id;
  }

  void Write(const std::string& rel, size_t bytes) { std::ofstream(dir / rel) << std::string(bytes, 'x'); }

  size_t Files() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "c")) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("log rotator: a log over the size limit is renamed and reopened, small ones are left alone",
          "[agent][logs]") {
  RotatorFixture f;
  agent::LogRotationOptions o;
  o.max_size_bytes = 100;
  o.max_files = 3;
  agent::LogRotator rotator(&f.rt, &f.clock, o);
  f.RunContainer("c", 0);

  f.Write("c/0.log", 50);
  rotator.RotateOnce();
  CHECK(f.Files() == 1);
  CHECK(f.rt.CountCalls("ReopenContainerLog") == 0);

  f.Write("c/0.log", 150);
  rotator.RotateOnce();
  CHECK(f.rt.CountCalls("ReopenContainerLog") == 1);
  CHECK(fs::exists(f.dir / "c" / fs::path(agent::LogRotator::RotatedName("0.log", f.clock.Now()))));
}

TEST_CASE("log rotator: asks the runtime for a container's log path once, not on every pass",
          "[agent][logs]") {
  RotatorFixture f;
  agent::LogRotator rotator(&f.rt, &f.clock, agent::LogRotationOptions{});
  f.RunContainer("a", 0);
  f.RunContainer("b", 1);
  f.rt.ClearCalls();

  for (int pass = 0; pass < 5; ++pass) rotator.RotateOnce();
  CHECK(f.rt.CountCalls("ContainerStatus") == 2);
  CHECK(f.rt.CountCalls("ListContainers") == 5);

  // A new container is asked about once; the known ones are not asked again.
  f.RunContainer("c", 2);
  f.rt.ClearCalls();
  rotator.RotateOnce();
  rotator.RotateOnce();
  CHECK(f.rt.CountCalls("ContainerStatus") == 1);
}
