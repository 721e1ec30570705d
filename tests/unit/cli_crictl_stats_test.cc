// crilet cri stats and info: crictl's table and JSON from what CRI ListContainerStats and Status answer (fake runtime).
#include <catch2/catch.hpp>

#include "cli/crictl_stats.h"
#include "cri/fake_runtime.h"

using namespace crilet;

namespace {

cri::ContainerStats Sample(const std::string& id, const std::string& name, int64_t at_ns, uint64_t cpu_ns, uint64_t mem) {
  cri::ContainerStats s;
  s.id = id;
  s.name = name;
  s.cpu_timestamp = at_ns;
  s.cpu_usage_core_nano_seconds = cpu_ns;
  s.memory_timestamp = at_ns;
  s.memory_working_set_bytes = mem;
  s.writable_layer_used_bytes = 12288;
  s.writable_layer_inodes_used = 7;
  return s;
}

}  // namespace

TEST_CASE("cri stats: CPU % is the CPU time between two samples over their distance, crictl's columns", "[cli][crictl]") {
  const std::string a = "aaaaaaaaaaaaaaaaaaaa", b = "bbbbbbbbbbbbbbbbbbbb", idle = "cccccccccccccccccccc";
  // a used 0.25 s of CPU in 1 s, b 1.5 s (two cores), idle is a stopped container.
  std::vector<cri::ContainerStats> first = {Sample(b, "worker", 1'000'000'000, 2'000'000'000, 4'270'000),
                                            Sample(a, "web", 1'000'000'000, 1'000'000'000, 999),
                                            Sample(idle, "done", 1'000'000'000, 0, 0)};
  std::vector<cri::ContainerStats> second = {Sample(b, "worker", 2'000'000'000, 3'500'000'000, 4'270'000),
                                             Sample(a, "web", 2'000'000'000, 1'250'000'000, 999),
                                             Sample(idle, "done", 2'000'000'000, 0, 0)};
  std::string out;
  REQUIRE(cli::CrictlStatsTable(first, second, false, &out).ok());
  CHECK(out ==
        "CONTAINER           NAME                CPU %               MEM                 DISK                INODES\n"
        "aaaaaaaaaaaaa       web                 25.00               999B                12.29kB             7\n"
        "bbbbbbbbbbbbb       worker              150.00              4.27MB              12.29kB             7\n");
  REQUIRE(cli::CrictlStatsTable(first, second, true, &out).ok());
  CHECK(out.find("ccccccccccccc       done                0.00                0B") != std::string::npos);
  // A container that appeared between the samples is left out, as crictl does.
  REQUIRE(cli::CrictlStatsTable({}, second, true, &out).ok());
  CHECK(out == "CONTAINER           NAME                CPU %               MEM                 DISK                INODES\n");
  // A CPU counter that did not move on in time is crictl's error.
  Status s = cli::CrictlStatsTable(first, first, false, &out);
  CHECK(s.message() == "cpu stat is not updated during sample");
}

TEST_CASE("cri stats -o json: protojson's names, 64-bit numbers as strings, unreported counters left out", "[cli][crictl]") {
  cri::ContainerStats s = Sample("c1", "web", 5, 10, 20);
  s.attempt = 2;
  s.labels = {{"io.kubernetes.pod.name", "web"}};
  const nlohmann::ordered_json j = cli::CrictlStatsJson({s});
  const auto& st = j["stats"][0];
  CHECK(st["attributes"]["metadata"]["attempt"] == 2);
  CHECK(st["attributes"]["labels"]["io.kubernetes.pod.name"] == "web");
  CHECK(st["cpu"]["timestamp"] == "5");
  CHECK(st["cpu"]["usageCoreNanoSeconds"]["value"] == "10");
  CHECK_FALSE(st["cpu"].contains("usageNanoCores"));
  CHECK(st["memory"]["workingSetBytes"]["value"] == "20");
  CHECK(st["writableLayer"]["inodesUsed"]["value"] == "7");
  // Fields in the proto's order, as protojson writes them.
  std::vector<std::string> keys;
  for (const auto& [k, v] : st.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"attributes", "cpu", "memory", "writableLayer"});
}

TEST_CASE("cri stats: the fake runtime answers for its containers, filtered by ID, sandbox and labels", "[cli][crictl][cri]") {
  FakeClock clock;
  cri::FakeRuntime runtime(&clock);
  cri::SandboxConfig sc;
  sc.metadata.name = "web";
  std::string sandbox, c1, c2;
  REQUIRE(runtime.RunPodSandbox(sc, &sandbox).ok());
  runtime.AddImage("busybox");
  cri::ContainerConfig cc;
  cc.image = "busybox";
  cc.name = "a";
  cc.labels = {{"role", "front"}};
  REQUIRE(runtime.CreateContainer(sandbox, cc, sc, &c1).ok());
  cc.name = "b";
  cc.labels = {{"role", "back"}};
  REQUIRE(runtime.CreateContainer(sandbox, cc, sc, &c2).ok());
  runtime.SetContainerStats(c1, Sample("ignored", "ignored", 1, 2, 3));
  std::vector<cri::ContainerStats> out;
  REQUIRE(runtime.ListContainerStats({}, &out).ok());
  REQUIRE(out.size() == 2);
  cri::ContainerStatsFilter f;
  f.label_selector = {{"role", "front"}};
  REQUIRE(runtime.ListContainerStats(f, &out).ok());
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == c1);
  CHECK(out[0].name == "a");
  CHECK(out[0].memory_working_set_bytes == 3u);
  f = {};
  f.id = c2;
  REQUIRE(runtime.ListContainerStats(f, &out).ok());
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].cpu_usage_core_nano_seconds.has_value());
  f = {};
  f.sandbox_id = "other";
  REQUIRE(runtime.ListContainerStats(f, &out).ok());
  CHECK(out.empty());
}

TEST_CASE("cri info: the status conditions and the info map as crictl prints them", "[cli][crictl][cri]") {
  FakeClock clock;
  cri::FakeRuntime runtime(&clock);
  cri::RuntimeStatusInfo st;
  REQUIRE(runtime.RuntimeStatus(true, &st).ok());
  REQUIRE(st.conditions.size() == 2);
  cri::RuntimeStatusInfo verbose = st;
  verbose.conditions[1].status = false;
  verbose.conditions[1].reason = "NetworkPluginNotReady";
  verbose.info = {{"config", R"({"sandboxImage":"registry.k8s.io/pause:3.6","cni":{"binDir":"/opt/cni/bin"}})"},
                  {"golang", "\"go1.20.13\""},
                  {"lastCNILoadStatus", "\"OK\""}};
  runtime.SetRuntimeStatus(verbose);
  REQUIRE(runtime.RuntimeStatus(false, &st).ok());
  CHECK(st.info.empty());  // the info map only with verbose, as CRI says
  REQUIRE(runtime.RuntimeStatus(true, &st).ok());
  const nlohmann::json j = cli::CrictlInfoJson(st);
  CHECK(j["status"]["conditions"][0] ==
        nlohmann::json{{"type", "RuntimeReady"}, {"status", true}, {"reason", ""}, {"message", ""}});
  CHECK(j["status"]["conditions"][1]["reason"] == "NetworkPluginNotReady");
  CHECK(j["config"]["sandboxImage"] == "registry.k8s.io/pause:3.6");
  CHECK(j["golang"] == "go1.20.13");
  CHECK(j["lastCNILoadStatus"] == "OK");
  CHECK(j.dump(2).rfind("{\n  \"config\": {\n    \"cni\"", 0) == 0);  // keys sorted, two-space indent
}
