// QoS classes (kubelet's qos_test.go table), cgroup names for both drivers, pod cgroup settings and the pod
// cgroup manager on a fake cgroup file system (issue 20).
#include <catch2/catch.hpp>

#include "agent/fake_cgroup_fs.h"
#include "agent/pod_cgroup_manager.h"
#include "agent/pod_cgroups.h"
#include "agent/pod_syncer.h"
#include "agent/qos_policy.h"
#include "syncer_harness.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;

namespace {

// kubelet's getResourceList: "" leaves the resource out.
std::map<std::string, manifests::Quantity> List(const std::string& cpu, const std::string& memory) {
  std::map<std::string, manifests::Quantity> out;
  std::string why;
  if (!cpu.empty()) out["cpu"] = *manifests::ParseQuantity(cpu, &why);
  if (!memory.empty()) out["memory"] = *manifests::ParseQuantity(memory, &why);
  return out;
}

struct Spec {
  std::map<std::string, manifests::Quantity> requests, limits;
};

manifests::Container Make(const std::string& name, const Spec& s) {
  manifests::Container c = MakeContainer(name);
  c.resources.requests = s.requests;
  c.resources.limits = s.limits;
  return c;
}

manifests::Pod PodOf(std::vector<Spec> containers, std::vector<Spec> inits = {}) {
  manifests::Pod pod = MakePod({});
  int i = 0;
  for (const auto& s : containers) pod.spec.containers.push_back(Make("c" + std::to_string(i++), s));
  for (const auto& s : inits) pod.spec.init_containers.push_back(Make("i" + std::to_string(i++), s));
  return pod;
}

}  // namespace

TEST_CASE("GetPodQOS: kubelet's TestComputePodQOS table", "[qos]") {
  struct Row {
    const char* name;
    std::vector<Spec> containers;
    std::vector<Spec> inits;
    const char* want;
  };
  // crilet's manifests are defaulted as kubelet decodes static pods: a limit without a request is the request.
  // The rows are kubelet's, whose requests are all written out, so that defaulting changes none of them.
  const std::vector<Row> rows = {
      {"guaranteed", {{List("100m", "100Mi"), List("100m", "100Mi")}}, {}, "Guaranteed"},
      {"guaranteed-guaranteed",
       {{List("100m", "100Mi"), List("100m", "100Mi")}, {List("100m", "100Mi"), List("100m", "100Mi")}}, {},
       "Guaranteed"},
      {"best-effort-best-effort", {{List("", ""), List("", "")}, {List("", ""), List("", "")}}, {}, "BestEffort"},
      {"best-effort", {{List("", ""), List("", "")}}, {}, "BestEffort"},
      {"best-effort-burstable", {{List("", ""), List("", "")}, {List("1", ""), List("2", "")}}, {}, "Burstable"},
      {"best-effort-guaranteed", {{List("", ""), List("", "")}, {List("10m", "100Mi"), List("10m", "100Mi")}}, {},
       "Burstable"},
      {"burstable-cpu-guaranteed-memory", {{List("", "100Mi"), List("", "100Mi")}}, {}, "Burstable"},
      {"burstable-no-limits", {{List("100m", "100Mi"), List("", "")}}, {}, "Burstable"},
      {"burstable-guaranteed", {{List("1", "100Mi"), List("2", "100Mi")}, {List("100m", "100Mi"), List("100m", "100Mi")}},
       {}, "Burstable"},
      {"burstable-unbounded-but-requests-match-limits",
       {{List("100m", "100Mi"), List("200m", "200Mi")}, {List("100m", "100Mi"), List("", "")}}, {}, "Burstable"},
      {"burstable-1", {{List("10m", "100Mi"), List("100m", "200Mi")}}, {}, "Burstable"},
      {"burstable-2", {{List("0", "0"), List("100m", "200Mi")}}, {}, "Burstable"},
      {"init-container", {{List("", ""), List("", "")}}, {{List("10m", "100Mi"), List("100m", "200Mi")}}, "Burstable"},
      // crilet's own rows: init containers count as kubelet's loop counts them.
      {"guaranteed-with-guaranteed-init", {{List("100m", "100Mi"), List("100m", "100Mi")}},
       {{List("50m", "10Mi"), List("50m", "10Mi")}}, "Guaranteed"},
      {"guaranteed-with-best-effort-sidecar", {{List("100m", "100Mi"), List("100m", "100Mi")}}, {{List("", ""), List("", "")}},
       "Burstable"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    manifests::Pod pod = PodOf(row.containers, row.inits);
    if (std::string(row.name) == "guaranteed-with-best-effort-sidecar") pod.spec.init_containers[0].restart_policy = "Always";
    CHECK(PodQosClass(pod) == row.want);
  }
  SECTION("best-effort-hugepages: only cpu and memory count") {
    manifests::Pod pod = PodOf({{List("0", "0"), List("0", "0")}});
    std::string why;
    pod.spec.containers[0].resources.requests["hugepages-2Mi"] = *manifests::ParseQuantity("1Gi", &why);
    pod.spec.containers[0].resources.limits["hugepages-2Mi"] = *manifests::ParseQuantity("1Gi", &why);
    CHECK(PodQosClass(pod) == "BestEffort");
  }
}

TEST_CASE("cgroup names: cgroupfs paths and systemd slices as kubelet's CgroupName", "[cgroups]") {
  const std::string uid = "0123456789abcdef0123456789abcdef";
  QosCgroupNames q = QosCgroups("/");
  CHECK(ToCgroupfs(q.guaranteed) == "/kubepods");
  CHECK(ToCgroupfs(q.burstable) == "/kubepods/burstable");
  CHECK(ToCgroupfs(q.besteffort) == "/kubepods/besteffort");
  CHECK(QosCgroups("") .guaranteed == q.guaranteed);  // "" is kubelet's default "/"
  CHECK(ToCgroupfs(PodCgroupName(q, "Guaranteed", uid)) == "/kubepods/pod" + uid);
  CHECK(ToCgroupfs(PodCgroupName(q, "Burstable", uid)) == "/kubepods/burstable/pod" + uid);
  CHECK(ToCgroupfs(PodCgroupName(q, "BestEffort", uid)) == "/kubepods/besteffort/pod" + uid);
  CHECK(ToCgroupfs(PodCgroupName(QosCgroups("/lab/node1/"), "Burstable", uid)) == "/lab/node1/kubepods/burstable/pod" + uid);

  CHECK(ToSystemd({}) == "/");
  CHECK(ToSystemd(q.guaranteed) == "/kubepods.slice");
  CHECK(ToSystemd(PodCgroupName(q, "Burstable", uid)) ==
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid + ".slice");
  CHECK(ToSystemd(PodCgroupName(q, "BestEffort", uid)) ==
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uid + ".slice");
  CHECK(ToSystemd(PodCgroupName(q, "Guaranteed", uid)) == "/kubepods.slice/kubepods-pod" + uid + ".slice");
  // A '-' inside a component is escaped, as in an API server's dashed UIDs.
  CHECK(ToSystemd(PodCgroupName(q, "Burstable", "6b1b-42")) ==
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6b1b_42.slice");
  CHECK(CgroupLiteralName(q.burstable, CgroupDriver::kSystemd) == "/kubepods.slice/kubepods-burstable.slice");
  CHECK(CgroupLiteralName(q.burstable, CgroupDriver::kCgroupfs) == "/kubepods/burstable");
  CHECK(ParseCgroupDriver("systemd") == CgroupDriver::kSystemd);
  CHECK(!ParseCgroupDriver("cgroupfs2"));
}

TEST_CASE("ResourceConfigForPod: pod cgroup settings per QoS class", "[cgroups]") {
  CHECK(MilliCpuToShares(0) == 2);
  CHECK(MilliCpuToShares(1) == 2);
  CHECK(MilliCpuToShares(500) == 512);
  CHECK(MilliCpuToShares(1000000) == 262144);
  CHECK(MilliCpuToQuota(0, 100000) == 0);
  CHECK(MilliCpuToQuota(5, 100000) == 1000);
  CHECK(MilliCpuToQuota(250, 100000) == 25000);

  SECTION("Guaranteed: shares, quota and memory from the summed containers") {
    auto pod = PodOf({{List("100m", "100Mi"), List("100m", "100Mi")}, {List("200m", "50Mi"), List("200m", "50Mi")}});
    CgroupResources r = PodCgroupResources(pod);
    CHECK(r.cpu_shares == 307);
    CHECK(r.cpu_period == 100000);
    CHECK(r.cpu_quota == 30000);
    CHECK(r.memory_limit_bytes == 150LL << 20);
  }
  SECTION("Burstable with every limit set: quota and memory too") {
    auto pod = PodOf({{List("100m", "64Mi"), List("200m", "128Mi")}});
    CgroupResources r = PodCgroupResources(pod);
    CHECK(r.cpu_shares == 102);
    CHECK(r.cpu_quota == 20000);
    CHECK(r.memory_limit_bytes == 128LL << 20);
  }
  SECTION("Burstable with a container lacking limits: shares only") {
    auto pod = PodOf({{List("100m", "64Mi"), List("200m", "128Mi")}, {List("50m", ""), List("", "")}});
    CgroupResources r = PodCgroupResources(pod);
    CHECK(r.cpu_shares == 153);
    CHECK(!r.cpu_quota);
    CHECK(!r.cpu_period);
    CHECK(!r.memory_limit_bytes);
  }
  SECTION("Burstable: cpu limits everywhere, a memory limit missing: quota but no memory limit") {
    auto pod = PodOf({{List("100m", ""), List("200m", "")}});
    CgroupResources r = PodCgroupResources(pod);
    CHECK(r.cpu_quota == 20000);
    CHECK(!r.memory_limit_bytes);
  }
  SECTION("an init container larger than the regular ones sets the pod's figures") {
    auto pod = PodOf({{List("100m", "64Mi"), List("100m", "64Mi")}}, {{List("500m", "256Mi"), List("500m", "256Mi")}});
    CgroupResources r = PodCgroupResources(pod);
    CHECK(PodQosClass(pod) == "Guaranteed");
    CHECK(r.cpu_shares == 512);
    CHECK(r.cpu_quota == 50000);
    CHECK(r.memory_limit_bytes == 256LL << 20);
  }
  SECTION("a sidecar adds to the regular containers") {
    auto pod = PodOf({{List("100m", "64Mi"), List("100m", "64Mi")}}, {{List("100m", "64Mi"), List("100m", "64Mi")}});
    pod.spec.init_containers[0].restart_policy = "Always";
    CgroupResources r = PodCgroupResources(pod);
    CHECK(r.cpu_quota == 20000);
    CHECK(r.memory_limit_bytes == 128LL << 20);
  }
  SECTION("BestEffort: 2 shares, nothing else") {
    CgroupResources r = PodCgroupResources(PodOf({{List("", ""), List("", "")}}));
    CHECK(r.cpu_shares == 2);
    CHECK(!r.cpu_quota);
    CHECK(!r.memory_limit_bytes);
  }
  SECTION("the burstable tier's shares sum the Burstable pods' cpu requests") {
    auto burstable1 = PodOf({{List("100m", ""), List("", "")}});
    auto burstable2 = PodOf({{List("400m", ""), List("", "")}});
    auto guaranteed = PodOf({{List("1", "1Gi"), List("1", "1Gi")}});
    CHECK(BurstableCpuShares({}) == 2);
    CHECK(BurstableCpuShares({&burstable1, &burstable2, &guaranteed}) == 512);
  }
}

TEST_CASE("PodCgroupManager: QoS tiers, pod cgroups with kubelet's values, removal", "[cgroups]") {
  FakeCgroupFs fs;
  fs.AddHierarchy("freezer");  // runc makes the pod's cgroup there too
  PodCgroupConfig config;
  // Nothing reserved: kubepods gets the capacity.
  config.node_allocatable = NodeAllocatableCgroupResources({2000, 4LL << 30, 0}, NodeAllocatableConfig{});
  PodCgroupManager m(config, &fs);
  std::string why;
  REQUIRE(m.Start(&why));
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids"}) {
    INFO(c);
    CHECK(fs.Exists(c, "/kubepods"));
    CHECK(fs.Exists(c, "/kubepods/burstable"));
    CHECK(fs.Exists(c, "/kubepods/besteffort"));
  }
  CHECK(fs.Value("cpu", "/kubepods", "cpu.shares") == "2048");
  CHECK(fs.Value("memory", "/kubepods", "memory.limit_in_bytes") == std::to_string(4LL << 30));
  CHECK(fs.Value("cpu", "/kubepods/besteffort", "cpu.shares") == "2");
  CHECK(fs.Value("cpu", "/kubepods/burstable", "cpu.shares") == "2");
  CHECK(fs.Value("cpuset", "/kubepods/burstable", "cpuset.cpus") == "0-1");
  CHECK(fs.Value("cpuset", "/kubepods/burstable", "cpuset.mems") == "0");

  auto guaranteed = PodOf({{List("250m", "64Mi"), List("250m", "64Mi")}});
  guaranteed.metadata.uid = "g1";
  auto burstable = PodOf({{List("500m", "32Mi"), List("", "")}});
  burstable.metadata.uid = "b1";
  auto besteffort = PodOf({{List("", ""), List("", "")}});
  besteffort.metadata.uid = "e1";
  CHECK(m.CgroupParent(guaranteed) == "/kubepods/podg1");
  CHECK(m.CgroupParent(burstable) == "/kubepods/burstable/podb1");
  CHECK(m.CgroupParent(besteffort) == "/kubepods/besteffort/pode1");
  m.EnsurePod(guaranteed);
  m.EnsurePod(burstable);
  m.EnsurePod(besteffort);
  CHECK(!fs.Exists("freezer", "/kubepods"));  // crilet writes only in the controllers it manages
  for (const char* p : {"/kubepods", "/kubepods/burstable", "/kubepods/burstable/podb1", "/kubepods/burstable/podb1/ctr"}) {
    REQUIRE(fs.MakeDir("freezer", p).ok());
  }
  CHECK(fs.Value("cpu", "/kubepods/podg1", "cpu.shares") == "256");
  CHECK(fs.Value("cpu", "/kubepods/podg1", "cpu.cfs_period_us") == "100000");
  CHECK(fs.Value("cpu", "/kubepods/podg1", "cpu.cfs_quota_us") == "25000");
  CHECK(fs.Value("memory", "/kubepods/podg1", "memory.limit_in_bytes") == std::to_string(64LL << 20));
  CHECK(fs.Exists("pids", "/kubepods/podg1"));
  CHECK(fs.Value("cpu", "/kubepods/burstable/podb1", "cpu.shares") == "512");
  CHECK(fs.Value("cpu", "/kubepods/burstable/podb1", "cpu.cfs_quota_us").empty());
  CHECK(fs.Value("memory", "/kubepods/burstable/podb1", "memory.limit_in_bytes").empty());
  CHECK(fs.Value("cpu", "/kubepods/besteffort/pode1", "cpu.shares") == "2");
  CHECK(fs.Value("cpu", "/kubepods/burstable", "cpu.shares") == "512");
  CHECK(m.burstable_shares() == 512);

  SECTION("removal: the pod's cgroup and any empty child the runtime left, in every hierarchy") {
    REQUIRE(fs.MakeDir("cpu", "/kubepods/burstable/podb1/leftover").ok());
    CHECK(m.RemovePod("b1").ok());
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids"}) CHECK(!fs.Exists(c, "/kubepods/burstable/podb1"));
    CHECK(!fs.Exists("freezer", "/kubepods/burstable/podb1"));
    CHECK(fs.Value("cpu", "/kubepods/burstable", "cpu.shares") == "2");  // no Burstable pod left
    CHECK(fs.Exists("cpu", "/kubepods/podg1"));
  }
  SECTION("an orphan's cgroup is found in whichever tier holds it") {
    PodCgroupManager fresh(config, &fs);  // a restarted crilet that never ensured the pod
    REQUIRE(fresh.Start(&why));
    CHECK(fresh.RemovePod("g1").ok());
    CHECK(!fs.Exists("memory", "/kubepods/podg1"));
  }
  SECTION("a busy cgroup is an error now and removed by a later retry") {
    fs.SetBusy("memory", "/kubepods/besteffort/pode1", true);
    Status s = m.RemovePod("e1");
    CHECK(!s.ok());
    CHECK(s.message().find("pode1") != std::string::npos);
    CHECK(fs.Exists("memory", "/kubepods/besteffort/pode1"));
    fs.SetBusy("memory", "/kubepods/besteffort/pode1", false);
    m.RetryRemovals();
    CHECK(!fs.Exists("memory", "/kubepods/besteffort/pode1"));
  }
}

TEST_CASE("PodCgroupManager: a setting the kernel refuses is a warning, the rest is written", "[cgroups]") {
  FakeCgroupFs fs;
  fs.RefuseWrites("memory.limit_in_bytes", "Device or resource busy");
  PodCgroupManager m(PodCgroupConfig{}, &fs);
  std::string why;
  REQUIRE(m.Start(&why));
  auto pod = PodOf({{List("250m", "64Mi"), List("250m", "64Mi")}});
  m.EnsurePod(pod);
  std::string path = "/kubepods/pod" + pod.metadata.uid;
  CHECK(fs.Exists("memory", path));
  CHECK(fs.Value("memory", path, "memory.limit_in_bytes").empty());
  CHECK(fs.Value("cpu", path, "cpu.cfs_quota_us") == "25000");
}

TEST_CASE("PodCgroupManager: no pod cgroups without cgroup v1", "[cgroups]") {
  std::string why;
  SECTION("cgroup v2") {
    FakeCgroupFs fs;
    fs.unified = true;
    PodCgroupManager m(PodCgroupConfig{}, &fs);
    CHECK(!m.Start(&why));
    CHECK(why.find("cgroup v2") != std::string::npos);
  }
  SECTION("a cgroup root that does not exist") {
    FakeCgroupFs fs;
    PodCgroupConfig config;
    config.cgroup_root = "/missing";
    PodCgroupManager m(config, &fs);
    CHECK(!m.Start(&why));
    CHECK(why.find("/missing") != std::string::npos);
  }
  SECTION("the systemd driver names slices and writes nothing") {
    FakeCgroupFs fs;
    PodCgroupConfig config;
    config.driver = CgroupDriver::kSystemd;
    PodCgroupManager m(config, &fs);
    CHECK(m.Start(&why));
    auto pod = PodOf({{List("100m", ""), List("", "")}});
    CHECK(m.CgroupParent(pod) ==
          "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + pod.metadata.uid + ".slice");
    m.EnsurePod(pod);
    CHECK(fs.Dirs("cpu") == std::set<std::string>{"/"});
  }
}

TEST_CASE("PodSyncer: the sandbox's cgroup parent is the pod cgroup, removed with the pod", "[cgroups][syncer]") {
  crilet::testing::SyncerHarness h;
  FakeCgroupFs fs;
  PodCgroupManager cgroups(PodCgroupConfig{}, &fs);
  std::string why;
  REQUIRE(cgroups.Start(&why));
  h.env.cgroups = &cgroups;
  auto pod = PodOf({{List("100m", "32Mi"), List("", "")}});
  PodSyncer syncer(&h.env, &h.store, pod);
  syncer.Sync(nullptr);
  const cri::SandboxConfig* sb = h.runtime.LastSandboxConfig();
  REQUIRE(sb);
  std::string path = "/kubepods/burstable/pod" + pod.metadata.uid;
  CHECK(sb->cgroup_parent == path);
  CHECK(fs.Value("cpu", path, "cpu.shares") == "102");
  CHECK(syncer.Terminate(nullptr).ok());
  CHECK(!fs.Exists("cpu", path));
  CHECK(!fs.Exists("memory", path));
}

TEST_CASE("PodSyncer: without pod cgroups the cgroup parent is --cgroup-root as before", "[cgroups][syncer]") {
  crilet::testing::SyncerHarness h;
  h.env.options.cgroup_parent = "/lab";
  auto pod = PodOf({{List("100m", "32Mi"), List("", "")}});
  PodSyncer syncer(&h.env, &h.store, pod);
  syncer.Sync(nullptr);
  REQUIRE(h.runtime.LastSandboxConfig());
  CHECK(h.runtime.LastSandboxConfig()->cgroup_parent == "/lab");
}
