// Resource usage: nanocores and cgroup figures (pure), the collector against the fake runtime, cgroups and disk,
// and what it feeds: /stats/summary's JSON, the usage metrics and crilet top's tables.
#include <catch2/catch.hpp>

#include "agent/fake_cgroup_fs.h"
#include "agent/fake_disk_usage.h"
#include "agent/stats_collector.h"
#include "cli/top_table.h"
#include "cri/fake_runtime.h"
#include "server/stats_summary.h"
#include "server/status_routes.h"
#include "server/usage_metrics.h"

using namespace crilet;
using agent::CpuSample;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

// One running pod "web" (uid u1, Burstable) with containers app and side in the fake runtime and the records.
struct Harness {
  FakeClock clock;
  cri::FakeRuntime runtime{&clock};
  agent::FakeCgroupFs cgroups;
  agent::FakeDiskUsage disk;
  std::vector<agent::PodRecord> pods;
  std::map<std::string, std::string> ids;  // container name -> id
  std::string sandbox;

  Harness() {
    runtime.AddImage("busybox");
    cri::SandboxConfig sc;
    sc.metadata = cri::SandboxMetadata{"web", "u1", "default", 0};
    sc.labels = {{"io.kubernetes.pod.uid", "u1"}};
    REQUIRE(runtime.RunPodSandbox(sc, &sandbox).ok());
    agent::PodRecord r;
    r.pod.metadata.name = "web";
    r.pod.metadata.namespace_ = "default";
    r.pod.metadata.uid = "u1";
    manifests::Volume v;
    v.name = "cache";
    v.empty_dir.emplace();
    r.pod.spec.volumes.push_back(v);
    r.status.qos_class = "Burstable";
    r.status.start_time = clock.Now();
    for (const char* name : {"app", "side"}) {
      cri::ContainerConfig cc;
      cc.name = name;
      cc.image = "busybox";
      cc.labels = {{"io.kubernetes.pod.uid", "u1"}, {"io.kubernetes.container.name", name}};
      std::string id;
      REQUIRE(runtime.CreateContainer(sandbox, cc, sc, &id).ok());
      REQUIRE(runtime.StartContainer(id).ok());
      ids[name] = id;
      agent::ContainerStatus cs;
      cs.name = name;
      cs.container_id = "containerd://" + id;
      cs.state.running = agent::ContainerStateRunning{clock.Now()};
      r.status.container_statuses.push_back(cs);
    }
    pods.push_back(r);
    REQUIRE(cgroups.MakeDir("cpuacct", "/kubepods").ok());
    REQUIRE(cgroups.MakeDir("cpuacct", "/kubepods/burstable").ok());
    REQUIRE(cgroups.MakeDir("cpuacct", "/kubepods/burstable/podu1").ok());
    REQUIRE(cgroups.MakeDir("memory", "/kubepods").ok());
    REQUIRE(cgroups.MakeDir("memory", "/kubepods/burstable").ok());
    REQUIRE(cgroups.MakeDir("memory", "/kubepods/burstable/podu1").ok());
  }

  agent::StatsCollectorOptions Options() const {
    agent::StatsCollectorOptions o;
    o.node_name = "node1";
    o.root_dir = "/var/lib/crilet";
    o.pod_logs_dir = "/var/log/pods";
    o.pod_cgroups = true;
    o.node_cpu_milli = 2000;
    o.node_memory_bytes = 4ull << 30;
    return o;
  }

  // The container used `cpu_seconds` of CPU so far and holds `memory` bytes, as containerd reports at the clock's now.
  void Report(const std::string& name, double cpu_seconds, uint64_t memory) {
    cri::ContainerStats s;
    s.cpu_timestamp = ToUnixNanos(clock.Now());
    s.cpu_usage_core_nano_seconds = static_cast<uint64_t>(cpu_seconds * kSecond);
    s.memory_timestamp = s.cpu_timestamp;
    s.memory_working_set_bytes = memory;
    s.memory_rss_bytes = memory / 2;
    s.writable_layer_used_bytes = 4096;
    s.writable_layer_inodes_used = 3;
    runtime.SetContainerStats(ids[name], s);
  }

  void PodCgroup(uint64_t cpuacct_ns, uint64_t usage, uint64_t inactive_file) {
    REQUIRE(cgroups.Write("cpuacct", "/kubepods/burstable/podu1", "cpuacct.usage", std::to_string(cpuacct_ns)).ok());
    REQUIRE(cgroups.Write("memory", "/kubepods/burstable/podu1", "memory.usage_in_bytes", std::to_string(usage)).ok());
    REQUIRE(cgroups.Write("memory", "/kubepods/burstable/podu1", "memory.stat",
                          "cache 100\nrss 200\ntotal_inactive_file " + std::to_string(inactive_file) + "\ntotal_rss 777\n")
                .ok());
  }
};

const agent::ContainerUsage* FindContainer(const agent::UsageSnapshot& s, const std::string& name) {
  for (const auto& p : s.pods) {
    for (const auto& c : p.containers) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("nanocores: the CPU time between two readings over the time between them", "[agent][stats]") {
  // 0.2 s of CPU in 1 s: 200m.
  CHECK(agent::NanoCores({1 * kSecond, 5 * kSecond}, {2 * kSecond, 5 * kSecond + 200'000'000}) == 200'000'000u);
  // Two cores busy for half a second.
  CHECK(agent::NanoCores({0, 0}, {kSecond / 2, kSecond}) == 2'000'000'000u);
  // Idle.
  CHECK(agent::NanoCores({0, 7}, {10 * kSecond, 7}) == 0u);
  // Out of order, or a counter that went back (a new container with the same key): no figure.
  CHECK_FALSE(agent::NanoCores({2 * kSecond, 0}, {2 * kSecond, 10}));
  CHECK_FALSE(agent::NanoCores({1 * kSecond, 10}, {2 * kSecond, 5}));
  // Our two readings win over the runtime's own average; without them the runtime's is taken.
  CHECK(agent::PickNanoCores(CpuSample{0, 0}, CpuSample{kSecond, kSecond / 10}, 5) == 100'000'000u);
  CHECK(agent::PickNanoCores(std::nullopt, CpuSample{kSecond, 1}, 5) == 5u);
  CHECK_FALSE(agent::PickNanoCores(std::nullopt, CpuSample{kSecond, 1}, std::nullopt));
}

TEST_CASE("cgroup v1 memory: working set is usage less inactive file pages, as cAdvisor's", "[agent][stats]") {
  const std::string stat = "cache 4096\ntotal_inactive_file 1000\ntotal_rss 3000\ntotal_pgfault 12\ntotal_pgmajfault 1\n";
  agent::MemoryUsage m = agent::MemoryFromCgroupV1(5000, stat, 8000, 1u << 30, 42);
  CHECK(m.working_set_bytes == 4000u);
  CHECK(m.usage_bytes == 5000u);
  CHECK(m.rss_bytes == 3000u);
  CHECK(m.page_faults == 12u);
  CHECK(m.major_page_faults == 1u);
  CHECK(m.available_bytes == 4000u);
  CHECK(m.timestamp_ns == 42);
  // More inactive than usage: 0, never an underflow. An "unlimited" cgroup has no available figure.
  agent::MemoryUsage u = agent::MemoryFromCgroupV1(10, "total_inactive_file 99\n", 9223372036854771712ull, 1u << 30, 0);
  CHECK(u.working_set_bytes == 0u);
  CHECK_FALSE(u.available_bytes);
  CHECK_FALSE(u.rss_bytes);
}

TEST_CASE("collector: container CPU over the interval, memory and disk from CRI, pod figures from its cgroup", "[agent][stats]") {
  Harness h;
  h.disk.dirs["/var/log/pods/default_web_u1/app"] = agent::FsUsage{0, {}, {}, 8192, {}, {}, 2};
  h.disk.dirs["/var/lib/crilet/pods/u1/volumes/kubernetes.io~empty-dir/cache"] = agent::FsUsage{0, {}, {}, 1 << 20, {}, {}, 5};
  h.disk.devices["/var/lib/crilet"] = agent::FsUsage{0, 1000, 5000, 4000, 10, 100, 90};
  REQUIRE(h.cgroups.Write("cpuacct", "/", "cpuacct.usage", "1000000000").ok());
  REQUIRE(h.cgroups.Write("memory", "/", "memory.usage_in_bytes", "3000000").ok());
  REQUIRE(h.cgroups.Write("memory", "/", "memory.stat", "total_inactive_file 1000000\n").ok());
  agent::StatsCollector c(h.Options(), &h.runtime, &h.cgroups, &h.disk, [&] { return h.pods; }, &h.clock);
  CHECK(c.Latest() == nullptr);

  h.Report("app", 10, 8 << 20);
  h.Report("side", 3, 1 << 20);
  h.PodCgroup(13 * kSecond, 10 << 20, 1 << 20);
  c.CollectOnce();
  auto first = c.Latest();
  REQUIRE(first);
  CHECK(c.RuntimeHasPodStats() == false);  // the fake has no ListPodSandboxStats until told
  // One reading: the cumulative counter, no rate yet.
  CHECK(FindContainer(*first, "app")->cpu.usage_core_nano_seconds == 10u * kSecond);
  CHECK_FALSE(FindContainer(*first, "app")->cpu.usage_nano_cores);

  // 10 s later: app used 2 s (200m), side nothing; the pod's cgroup 2.5 s.
  h.clock.Advance(std::chrono::seconds(10));
  h.Report("app", 12, 8 << 20);
  h.Report("side", 3, 1 << 20);
  h.PodCgroup(15 * kSecond + 500'000'000, 10 << 20, 1 << 20);
  REQUIRE(h.cgroups.Write("cpuacct", "/", "cpuacct.usage", "11000000000").ok());
  c.CollectOnce();
  auto s = c.Latest();
  REQUIRE(s->pods.size() == 1);
  const agent::PodUsage& pod = s->pods[0];
  CHECK(pod.name == "web");
  REQUIRE(pod.containers.size() == 2);
  const agent::ContainerUsage* app = FindContainer(*s, "app");
  CHECK(app->cpu.usage_nano_cores == 200'000'000u);
  CHECK(app->memory.working_set_bytes == 8u << 20);
  CHECK(app->memory.rss_bytes == 4u << 20);
  CHECK(app->rootfs.used_bytes == 4096u);
  CHECK(app->logs.used_bytes == 8192u);
  CHECK(FindContainer(*s, "side")->cpu.usage_nano_cores == 0u);
  CHECK_FALSE(FindContainer(*s, "side")->logs.used_bytes);  // no log directory yet: empty, not 0
  CHECK(pod.cpu.usage_nano_cores == 250'000'000u);
  CHECK(pod.memory.working_set_bytes == 9u << 20);
  CHECK(pod.memory.rss_bytes == 777u);
  REQUIRE(pod.volumes.size() == 1);
  CHECK(pod.volumes[0].name == "cache");
  CHECK(pod.volumes[0].fs.used_bytes == 1u << 20);
  CHECK(pod.volumes[0].fs.capacity_bytes == 5000u);
  // Writable layers + logs + emptyDirs.
  CHECK(pod.ephemeral_storage.used_bytes == 4096u * 2 + 8192u + (1u << 20));
  CHECK(pod.ephemeral_storage.inodes_used == 3u * 2 + 2u + 5u);
  CHECK(s->node.cpu.usage_nano_cores == 1'000'000'000u);
  CHECK(s->node.memory.working_set_bytes == 2000000u);
  CHECK(s->node.memory.available_bytes == (4ull << 30) - 2000000u);
  CHECK(s->node.fs.capacity_bytes == 5000u);
}

TEST_CASE("collector: pod figures from ListPodSandboxStats where the runtime has it", "[agent][stats]") {
  Harness h;
  cri::PodSandboxStats sb;
  sb.cpu_timestamp = ToUnixNanos(h.clock.Now());
  sb.cpu_usage_core_nano_seconds = 1 * kSecond;
  sb.memory_working_set_bytes = 12345;
  sb.process_count = 3;
  h.runtime.SetPodSandboxStats(h.sandbox, sb);
  h.Report("app", 1, 100);
  agent::StatsCollector c(h.Options(), &h.runtime, &h.cgroups, &h.disk, [&] { return h.pods; }, &h.clock);
  c.CollectOnce();
  h.clock.Advance(std::chrono::seconds(2));
  h.Report("app", 1.5, 100);
  sb.cpu_timestamp = ToUnixNanos(h.clock.Now());
  sb.cpu_usage_core_nano_seconds = 2 * kSecond;
  h.runtime.SetPodSandboxStats(h.sandbox, sb);
  c.CollectOnce();
  CHECK(c.RuntimeHasPodStats() == true);
  const agent::PodUsage& pod = c.Latest()->pods.at(0);
  CHECK(pod.cpu.usage_nano_cores == 500'000'000u);
  CHECK(pod.memory.working_set_bytes == 12345u);
  CHECK(pod.process_count == 3u);
  // The containers' figures came with the pods': one CRI call per collection, no ListContainerStats.
  CHECK(FindContainer(*c.Latest(), "app")->cpu.usage_nano_cores == 250'000'000u);
  CHECK(h.runtime.CountCalls("ListContainerStats") == 0);
  CHECK(h.runtime.CountCalls("ListPodSandboxStats") == 2);
}

TEST_CASE("collector: a runtime without stats and missing cgroup files leave figures empty, never fail", "[agent][stats]") {
  Harness h;
  h.runtime.InjectError("ListContainerStats", Status::Unavailable("ListContainerStats: connection refused"));
  h.runtime.InjectError("ImageFsInfo", Status(Code::kUnimplemented, "ImageFsInfo: unknown method"));
  agent::StatsCollector c(h.Options(), &h.runtime, &h.cgroups, &h.disk, [&] { return h.pods; }, &h.clock);
  c.CollectOnce();  // no cgroup files written at all, no disk figures
  auto s = c.Latest();
  REQUIRE(s);
  REQUIRE(s->pods.size() == 1);
  const agent::PodUsage& pod = s->pods[0];
  REQUIRE(pod.containers.size() == 2);
  CHECK_FALSE(pod.containers[0].cpu.usage_core_nano_seconds);
  CHECK_FALSE(pod.containers[0].memory.working_set_bytes);
  CHECK_FALSE(pod.cpu.usage_core_nano_seconds);
  CHECK_FALSE(pod.memory.working_set_bytes);
  CHECK_FALSE(s->node.cpu.usage_core_nano_seconds);
  // The summary still has every pod and container, with the figures left out.
  nlohmann::json j = server::SummaryJson(*s);
  CHECK(j["pods"][0]["containers"].size() == 2);
  CHECK_FALSE(j["pods"][0]["cpu"].contains("usageNanoCores"));
  // No figures, so top has no row for it.
  CHECK(cli::FormatTopPods(j, cli::TopOptions{}).empty());
}

TEST_CASE("collector: no pod cgroups and no pod stats: a pod's figures are its containers' sums", "[agent][stats]") {
  Harness h;
  agent::StatsCollectorOptions o = h.Options();
  o.pod_cgroups = false;
  agent::StatsCollector c(o, &h.runtime, nullptr, &h.disk, [&] { return h.pods; }, &h.clock);
  h.Report("app", 1, 100);
  h.Report("side", 1, 50);
  c.CollectOnce();
  h.clock.Advance(std::chrono::seconds(1));
  h.Report("app", 1.5, 100);
  h.Report("side", 1.25, 50);
  c.CollectOnce();
  const agent::PodUsage& pod = c.Latest()->pods.at(0);
  CHECK(pod.cpu.usage_nano_cores == 750'000'000u);
  CHECK(pod.memory.working_set_bytes == 150u);
}

TEST_CASE("/stats/summary: kubelet's stats/v1alpha1 field names", "[server][stats]") {
  agent::UsageSnapshot s;
  s.node.node_name = "node1";
  s.node.start_time_ns = 1'700'000'000 * kSecond;
  s.node.cpu = {1'700'000'010 * kSecond, 150'000'000, 99};
  s.node.memory.working_set_bytes = 1000;
  agent::PodUsage p;
  p.name = "web-node1";
  p.namespace_ = "default";
  p.uid = "u1";
  agent::ContainerUsage c;
  c.name = "app";
  c.start_time_ns = 1'700'000'005 * kSecond;
  c.cpu.usage_nano_cores = 200'000'000;
  c.memory.working_set_bytes = 12 << 20;
  c.rootfs.used_bytes = 4096;
  c.logs.used_bytes = 10;
  p.containers.push_back(c);
  p.volumes.push_back({"cache", agent::FsUsage{0, 1, 2, 3, 4, 5, 6}});
  p.process_count = 2;
  s.pods.push_back(p);
  nlohmann::json j = server::SummaryJson(s);
  CHECK(j["node"]["nodeName"] == "node1");
  CHECK(j["node"]["startTime"] == "2023-11-14T22:13:20Z");
  CHECK(j["node"]["cpu"]["usageNanoCores"] == 150000000);
  CHECK(j["node"]["cpu"]["usageCoreNanoSeconds"] == 99);
  CHECK(j["node"]["cpu"]["time"] == "2023-11-14T22:13:30Z");
  CHECK(j["node"]["memory"]["workingSetBytes"] == 1000);
  CHECK(j["node"]["runtime"].contains("imageFs"));
  const auto& pod = j["pods"][0];
  CHECK(pod["podRef"] == nlohmann::json{{"name", "web-node1"}, {"namespace", "default"}, {"uid", "u1"}});
  CHECK(pod["startTime"] == "0001-01-01T00:00:00Z");
  CHECK(pod["containers"][0]["name"] == "app");
  CHECK(pod["containers"][0]["cpu"]["usageNanoCores"] == 200000000);
  CHECK(pod["containers"][0]["rootfs"]["usedBytes"] == 4096);
  CHECK(pod["containers"][0]["logs"]["usedBytes"] == 10);
  CHECK(pod["volume"][0]["name"] == "cache");
  CHECK(pod["volume"][0]["inodesUsed"] == 6);
  CHECK(pod["process_stats"]["process_count"] == 2);
  CHECK(pod.contains("ephemeral-storage"));
  // ?only_cpu_and_memory=true, as metrics-server asks: no filesystem figures.
  nlohmann::json lean = server::SummaryJson(s, true);
  CHECK_FALSE(lean["node"].contains("fs"));
  CHECK_FALSE(lean["pods"][0].contains("volume"));
  CHECK_FALSE(lean["pods"][0].contains("ephemeral-storage"));
  CHECK_FALSE(lean["pods"][0]["containers"][0].contains("rootfs"));
  CHECK(lean["pods"][0]["containers"][0]["cpu"]["usageNanoCores"] == 200000000);

  // The same figures as Prometheus series, kubelet's resource-metrics names and labels.
  Metrics m;
  server::DeclareUsageMetrics(&m);
  s.pods[0].containers[0].cpu.usage_core_nano_seconds = 2'500'000'000;
  server::UpdateUsageMetrics(&m, s);
  const MetricLabels l = {{"container", "app"}, {"namespace", "default"}, {"pod", "web-node1"}};
  CHECK(m.Value("container_cpu_usage_seconds_total", l) == Approx(2.5));
  CHECK(m.Value("container_memory_working_set_bytes", l) == 12 << 20);
  CHECK(m.Value("node_memory_working_set_bytes", {}) == 1000);
  std::string text = m.RenderPrometheus();
  CHECK(text.find("# TYPE container_cpu_usage_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web-node1\"} 12582912\n") !=
        std::string::npos);
  // A pod that is gone takes its series with it.
  s.pods.clear();
  server::UpdateUsageMetrics(&m, s);
  CHECK(m.RenderPrometheus().find("pod=\"web-node1\"") == std::string::npos);
}

TEST_CASE("top: kubectl top's tables, cells and order", "[cli][top]") {
  CHECK(cli::CpuCell(200'000'000) == "200m");
  CHECK(cli::CpuCell(199'000'001) == "200m");  // MilliValue rounds up
  CHECK(cli::CpuCell(0) == "0m");
  CHECK(cli::MemoryCell(12u << 20) == "12Mi");
  CHECK(cli::MemoryCell((1u << 20) - 1) == "0Mi");
  auto container = [](const char* name, uint64_t cpu, uint64_t mem) {
    return nlohmann::json{{"name", name}, {"cpu", {{"usageNanoCores", cpu}}}, {"memory", {{"workingSetBytes", mem}}}};
  };
  nlohmann::json summary = {
      {"node", {{"nodeName", "node1"}, {"cpu", {{"usageNanoCores", 500'000'000u}}}, {"memory", {{"workingSetBytes", 1u << 30}}}}},
      {"pods",
       {{{"podRef", {{"name", "busy-node1"}, {"namespace", "default"}}},
         {"containers", {container("yes", 199'500'000u, 1u << 20), container("side", 1'000'000u, 3u << 20)}}},
        {{"podRef", {{"name", "idle-node1"}, {"namespace", "default"}}}, {"containers", {container("sleep", 0u, 5u << 20)}}},
        {{"podRef", {{"name", "etcd-node1"}, {"namespace", "kube-system"}}}, {"containers", {container("etcd", 30'000'000u, 40u << 20)}}},
        {{"podRef", {{"name", "new-node1"}, {"namespace", "default"}}}, {"containers", nlohmann::json::array()}}}}};
  cli::TopOptions o;
  CHECK(cli::FormatTopPods(summary, o) ==
        "NAME         CPU(cores)   MEMORY(bytes)\n"
        "busy-node1   201m         4Mi\n"
        "idle-node1   0m           5Mi\n");
  o.sort_by = "memory";
  o.all_namespaces = true;
  CHECK(cli::FormatTopPods(summary, o) ==
        "NAMESPACE     NAME         CPU(cores)   MEMORY(bytes)\n"
        "kube-system   etcd-node1   30m          40Mi\n"
        "default       idle-node1   0m           5Mi\n"
        "default       busy-node1   201m         4Mi\n");
  o = cli::TopOptions{};
  o.containers = true;
  o.sort_by = "cpu";
  CHECK(cli::FormatTopPods(summary, o) ==
        "POD          NAME    CPU(cores)   MEMORY(bytes)\n"
        "busy-node1   yes     200m         1Mi\n"
        "busy-node1   side    1m           3Mi\n"
        "idle-node1   sleep   0m           5Mi\n");
  o = cli::TopOptions{};
  o.only = std::set<std::pair<std::string, std::string>>{{"default", "idle-node1"}};  // -l, resolved through /pods
  CHECK(cli::FormatTopPods(summary, o) ==
        "NAME         CPU(cores)   MEMORY(bytes)\n"
        "idle-node1   0m           5Mi\n");
  o = cli::TopOptions{};
  o.ns = "nowhere";
  CHECK(cli::FormatTopPods(summary, o).empty());
  CHECK(cli::FormatTopNode(summary, {{"num_cores", 2}, {"memory_capacity", 4ull << 30}}) ==
        "NAME    CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\n"
        "node1   500m         25%    1024Mi          25%\n");
  CHECK(cli::FormatTopNode(summary, nlohmann::json::object()) ==
        "NAME    CPU(cores)   CPU%        MEMORY(bytes)   MEMORY%\n"
        "node1   500m         <unknown>   1024Mi          <unknown>\n");
}

TEST_CASE("status routes: /stats/summary and /spec from the latest collection; 503 before it, 404 with collection off", "[server][stats]") {
  FakeClock clock;
  agent::EventRecorder events{&clock};
  agent::StatusStore store{&events};
  Metrics metrics;
  server::DeclareMetrics(&metrics);
  server::StatusServerDeps deps;
  deps.store = &store;
  deps.metrics = &metrics;
  auto get = [](std::string path, std::map<std::string, std::string> query = {}) {
    return server::HttpRequest{"GET", std::move(path), std::move(query)};
  };
  {
    server::StatusRoutes off(deps);
    CHECK(off.Serve(get("/stats/summary")).status == 404);
    CHECK(off.Serve(get("/spec")).status == 404);
    CHECK(off.Serve(get("/metrics")).body.find("# TYPE container_cpu_usage_seconds_total counter") != std::string::npos);
  }
  std::shared_ptr<const agent::UsageSnapshot> latest;
  deps.usage = [&latest] { return latest; };
  server::StatusRoutes routes(deps);
  CHECK(routes.Serve(get("/stats/summary")).status == 503);
  auto snap = std::make_shared<agent::UsageSnapshot>();
  snap->node.node_name = "node1";
  snap->node.cpu_capacity_milli = 2000;
  snap->node.memory_capacity_bytes = 4096;
  agent::PodUsage pod;
  pod.name = "web-node1";
  pod.namespace_ = "default";
  agent::ContainerUsage c;
  c.name = "app";
  c.memory.working_set_bytes = 77;
  pod.containers.push_back(c);
  snap->pods.push_back(pod);
  latest = snap;
  server::HttpResponse summary = routes.Serve(get("/stats/summary"));
  CHECK(summary.status == 200);
  CHECK(summary.content_type == "application/json");
  CHECK(nlohmann::json::parse(summary.body)["node"]["nodeName"] == "node1");
  CHECK(nlohmann::json::parse(routes.Serve(get("/stats/summary", {{"only_cpu_and_memory", "true"}})).body)["node"].count("fs") == 0);
  CHECK(nlohmann::json::parse(routes.Serve(get("/spec")).body) == nlohmann::json{{"num_cores", 2}, {"memory_capacity", 4096}});
  CHECK(routes.Serve(get("/metrics")).body.find(
            "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web-node1\"} 77\n") !=
        std::string::npos);
}
