// The CRI facade: endpoint parsing, errors naming the call, and the fake's containerd-like behaviour.
#include <catch2/catch.hpp>

#include "cri/fake_runtime.h"
#include "cri/grpc_runtime.h"

using namespace crilet;
using namespace crilet::cri;

TEST_CASE("kubelet-style endpoints map to gRPC targets", "[cri]") {
  std::string err;
  CHECK(EndpointToTarget("unix:///run/containerd/containerd.sock", &err) == "unix:/run/containerd/containerd.sock");
  CHECK(EndpointToTarget("/run/x.sock", &err) == "unix:/run/x.sock");
  CHECK(EndpointToTarget("tcp://127.0.0.1:1234", &err).empty());
  CHECK(err == "endpoint \"tcp://127.0.0.1:1234\": only unix sockets are supported (unix:///path/to/socket)");
  CHECK(EndpointToTarget("unix://relative.sock", &err).empty());
}

TEST_CASE("an unreachable runtime fails fast with the call named and code Unavailable", "[cri]") {
  GrpcRuntimeOptions o;
  o.endpoint = "unix:///nonexistent/crilet-test.sock";
  o.version_timeout = std::chrono::milliseconds(500);
  GrpcRuntime rt(o);
  VersionInfo v;
  Status s = rt.Version(&v);
  CHECK_FALSE(s.ok());
  CHECK((s.code() == Code::kUnavailable || s.code() == Code::kDeadlineExceeded));
  CHECK(s.message().rfind("Version: ", 0) == 0);

  GrpcRuntimeOptions bad;
  bad.endpoint = "tcp://x";
  GrpcRuntime unusable(bad);
  Status b = unusable.Version(&v);
  CHECK(b.code() == Code::kInvalidArgument);
}

TEST_CASE("the fake runtime behaves like containerd's CRI", "[cri][fake]") {
  FakeClock clock;
  FakeRuntime rt(&clock);
  rt.AddImage("busybox:1.36");

  SandboxConfig sc;
  sc.metadata = SandboxMetadata{"p", "uid-1", "default", 0};
  sc.labels = {{"io.kubernetes.pod.uid", "uid-1"}};
  std::string sb;
  REQUIRE(rt.RunPodSandbox(sc, &sb).ok());

  ContainerConfig cc;
  cc.name = "c";
  cc.image = "busybox:1.36";
  cc.labels = {{"io.kubernetes.pod.uid", "uid-1"}};
  std::string id;
  REQUIRE(rt.CreateContainer(sb, cc, sc, &id).ok());
  REQUIRE(rt.StartContainer(id).ok());
  CHECK(rt.StartContainer(id).code() == Code::kFailedPrecondition);  // only created containers start

  ContainerFilter running;
  running.state = ContainerState::kRunning;
  std::vector<Container> list;
  REQUIRE(rt.ListContainers(running, &list).ok());
  CHECK(list.size() == 1);
  ContainerFilter other;
  other.label_selector = {{"io.kubernetes.pod.uid", "uid-2"}};
  REQUIRE(rt.ListContainers(other, &list).ok());
  CHECK(list.empty());

  clock.Advance(std::chrono::seconds(2));
  rt.ExitContainer(id, 3);
  ContainerStatus st;
  REQUIRE(rt.ContainerStatus(id, false, &st).ok());
  CHECK(st.state == ContainerState::kExited);
  CHECK(st.exit_code == 3);
  CHECK(st.reason == "Error");
  CHECK(st.finished_at == ToUnixNanos(clock.Now()));

  // Missing images fail CreateContainer; injected errors fail the next call once; Unavailable while down.
  cc.image = "nope:1";
  CHECK(rt.CreateContainer(sb, cc, sc, &id).IsNotFound());
  rt.InjectError("StopPodSandbox", Status(Code::kInternal, "boom"));
  CHECK(rt.StopPodSandbox(sb).code() == Code::kInternal);
  CHECK(rt.StopPodSandbox(sb).ok());
  rt.SetDown(true);
  CHECK(rt.Version(nullptr).IsUnavailable());
  rt.SetDown(false);
  // RemovePodSandbox removes its containers, like containerd.
  REQUIRE(rt.RemovePodSandbox(sb).ok());
  CHECK(rt.Containers().empty());
  CHECK(rt.CountCalls("StartContainer") == 2);
}
