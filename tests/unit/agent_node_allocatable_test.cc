// Node allocatable as kubelet computes and enforces it: reservations, kubepods' values, kube- and system-reserved
// cgroups, podPidsLimit, their flags and KubeletConfiguration fields (issue 20).
#include <catch2/catch.hpp>

#include "agent/fake_cgroup_fs.h"
#include "agent/node_allocatable.h"
#include "agent/pod_cgroup_manager.h"
#include "cli/daemon_config.h"
#include "cli/run_flags.h"
#include "manifests/kubelet_config.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;

namespace {

ResourceReservation Reserve(std::map<std::string, std::string> m) {
  ResourceReservation r;
  Status s = ParseReservation(m, &r);
  REQUIRE(s.ok());
  return r;
}

constexpr int64_t kGi = 1LL << 30;
constexpr int64_t kMi = 1LL << 20;

}  // namespace

TEST_CASE("ParseReservation: kubelet's parseResourceList", "[allocatable]") {
  ResourceReservation r = Reserve({{"cpu", "500m"}, {"memory", "1Gi"}, {"ephemeral-storage", "10Gi"}, {"pid", "1000"}});
  CHECK(r.cpu_milli == 500);
  CHECK(r.memory_bytes == kGi);
  CHECK(r.ephemeral_storage_bytes == 10 * kGi);
  CHECK(r.pids == 1000);
  CHECK(!r.empty());
  CHECK(Reserve({}).empty());

  ResourceReservation bad;
  CHECK(ParseReservation({{"nvidia.com/gpu", "1"}}, &bad).message() == "cannot reserve \"nvidia.com/gpu\" resource");
  CHECK(ParseReservation({{"cpu", "-100m"}}, &bad).message() == "resource quantity for \"cpu\" cannot be negative: -100m");
  CHECK(ParseReservation({{"memory", "lots"}}, &bad).message().rfind("failed to parse quantity \"lots\" for \"memory\" resource: ", 0) == 0);
}

TEST_CASE("enforceNodeAllocatable: kubelet's validation messages", "[allocatable]") {
  NodeAllocatableConfig c;
  CHECK(ValidateEnforceNodeAllocatable(c, true, false).empty());
  // kubelet's default ["pods"] with cgroupsPerQOS false: crilet only refuses a list that was given.
  CHECK(ValidateEnforceNodeAllocatable(c, false, false).empty());
  CHECK(ValidateEnforceNodeAllocatable(c, false, true) ==
        "invalid configuration: enforceNodeAllocatable (--enforce-node-allocatable) is not supported unless "
        "cgroupsPerQOS (--cgroups-per-qos) is set to true");
  c.enforce = {};
  CHECK(ValidateEnforceNodeAllocatable(c, false, true).empty());  // --enforce-node-allocatable= with it off
  c.enforce = {"pods", "kube-reserved"};
  CHECK(ValidateEnforceNodeAllocatable(c, true, true) ==
        "invalid configuration: kubeReservedCgroup (--kube-reserved-cgroup) must be specified when \"kube-reserved\" "
        "contained in enforceNodeAllocatable (--enforce-node-allocatable)");
  c.kube_reserved_cgroup = "/kube.slice";
  CHECK(ValidateEnforceNodeAllocatable(c, true, true).empty());
  c.enforce = {"system-reserved"};
  CHECK(ValidateEnforceNodeAllocatable(c, true, true).find("systemReservedCgroup (--system-reserved-cgroup) must be specified") !=
        std::string::npos);
  c.enforce = {"none", "pods"};
  CHECK(ValidateEnforceNodeAllocatable(c, true, true) ==
        "invalid configuration: enforceNodeAllocatable (--enforce-node-allocatable) may not contain additional "
        "enforcements when \"none\" is specified");
  c.enforce = {"none"};
  CHECK(ValidateEnforceNodeAllocatable(c, true, true).empty());
  c.enforce = {"pod"};
  CHECK(ValidateEnforceNodeAllocatable(c, true, true) ==
        "invalid configuration: option \"pod\" specified for enforceNodeAllocatable (--enforce-node-allocatable). "
        "Valid options are \"pods\", \"system-reserved\", \"kube-reserved\", or \"none\"");
}

TEST_CASE("node allocatable: reported, kubepods' limits and the reserved cgroups' values", "[allocatable]") {
  // kubelet's TestNodeAllocatableForEnforcement-style node: 10 CPUs, 10Gi, 4194304 tasks.
  NodeCapacity capacity{10000, 10 * kGi, 4194304};
  NodeAllocatableConfig c;
  c.kube_reserved = Reserve({{"cpu", "100m"}, {"memory", "100Mi"}, {"pid", "1000"}});
  c.system_reserved = Reserve({{"cpu", "50m"}, {"memory", "50Mi"}});

  SECTION("reported allocatable subtracts the eviction threshold too") {
    NodeCapacity a = NodeAllocatable(capacity, c);
    CHECK(a.cpu_milli == 9850);
    CHECK(a.memory_bytes == 10 * kGi - 150 * kMi - 100 * kMi);
    CHECK(ValidateReservations(capacity, c).empty());
  }
  SECTION("kubepods with pods enforced: capacity less the reservations, not the eviction threshold") {
    CgroupResources r = NodeAllocatableCgroupResources(capacity, c);
    CHECK(r.cpu_shares == 9850 * 1024 / 1000);
    CHECK(r.memory_limit_bytes == 10 * kGi - 150 * kMi);
    CHECK(r.pids_limit == 4194304 - 1000);
    CHECK(!r.cpu_quota);
  }
  SECTION("kubepods without pods enforced: the capacity") {
    c.enforce = {};
    CgroupResources r = NodeAllocatableCgroupResources(capacity, c);
    CHECK(r.cpu_shares == 10240);
    CHECK(r.memory_limit_bytes == 10 * kGi);
    CHECK(r.pids_limit == 4194304);
  }
  SECTION("nothing reserved: kubepods gets the capacity, allocatable loses only the 100Mi threshold") {
    NodeAllocatableConfig none;
    CHECK(NodeAllocatableCgroupResources(capacity, none).memory_limit_bytes == 10 * kGi);
    CHECK(NodeAllocatable(capacity, none).memory_bytes == 10 * kGi - 100 * kMi);
    CHECK(NodeAllocatable(capacity, none).cpu_milli == 10000);
  }
  SECTION("unknown capacities are left out") {
    CgroupResources r = NodeAllocatableCgroupResources(NodeCapacity{2000, 0, 0}, c);
    CHECK(r.cpu_shares == (2000 - 150) * 1024 / 1000);
    CHECK(!r.memory_limit_bytes);
    CHECK(!r.pids_limit);
  }
  SECTION("reserving more than the node has is kubelet's start-up error") {
    c.kube_reserved = Reserve({{"cpu", "12"}, {"memory", "10Gi"}});
    CHECK(ValidateReservations(capacity, c) ==
          "invalid Node Allocatable configuration. Resource \"cpu\" has a reservation of 12050m but capacity of "
          "10000m. Expected capacity >= reservation. Resource \"memory\" has a reservation of " +
              std::to_string(10 * kGi + 150 * kMi) + " but capacity of " + std::to_string(10 * kGi) +
              ". Expected capacity >= reservation.");
    CHECK(NodeAllocatable(capacity, c).cpu_milli == 0);  // never negative
  }
  SECTION("kube-reserved and system-reserved cgroups get getCgroupConfig of their reservation") {
    CgroupResources k = ReservedCgroupResources(c.kube_reserved);
    CHECK(k.cpu_shares == 102);
    CHECK(k.memory_limit_bytes == 100 * kMi);
    CHECK(k.pids_limit == 1000);
    CgroupResources s = ReservedCgroupResources(c.system_reserved);
    CHECK(s.cpu_shares == 51);
    CHECK(!s.pids_limit);
    c.enforce = {"pods", "kube-reserved", "system-reserved"};
    c.kube_reserved_cgroup = "/kube.slice";
    c.system_reserved_cgroup = "/system.slice";
    auto list = ReservedCgroupsToEnforce(c);
    REQUIRE(list.size() == 2);
    CHECK(list[0].what == "System Reserved");  // kubelet enforces system-reserved first
    CHECK(list[0].name == "/system.slice");
    CHECK(list[1].what == "Kube Reserved");
    c.enforce = {"pods"};
    CHECK(ReservedCgroupsToEnforce(c).empty());
  }
}

TEST_CASE("PodCgroupManager: kubepods from node allocatable, reserved cgroups enforced, pod pids.max", "[allocatable][cgroups]") {
  FakeCgroupFs fs;
  fs.AddHierarchy("systemd");
  NodeAllocatableConfig na;
  na.kube_reserved = Reserve({{"cpu", "500m"}, {"memory", "256Mi"}, {"pid", "100"}});
  na.system_reserved = Reserve({{"cpu", "250m"}, {"memory", "128Mi"}});
  na.enforce = {"pods", "kube-reserved", "system-reserved"};
  na.kube_reserved_cgroup = "/kube.slice";
  na.system_reserved_cgroup = "/system.slice";
  PodCgroupConfig config;
  config.node_allocatable = NodeAllocatableCgroupResources({4000, 8 * kGi, 32768}, na);
  config.reserved_cgroups = ReservedCgroupsToEnforce(na);
  config.pod_pids_limit = 256;
  PodCgroupManager m(config, &fs);
  std::string why;
  REQUIRE(m.Start(&why));
  CHECK(fs.Value("cpu", "/kubepods", "cpu.shares") == std::to_string((4000 - 750) * 1024 / 1000));
  CHECK(fs.Value("memory", "/kubepods", "memory.limit_in_bytes") == std::to_string(8 * kGi - 384 * kMi));
  CHECK(fs.Value("pids", "/kubepods", "pids.max") == "32668");

  SECTION("a reserved cgroup that does not exist: kubelet's error, nothing written") {
    Status s = m.EnforceReservedCgroups();
    CHECK(s.message() == "Failed to enforce System Reserved Cgroup Limits on \"/system.slice\": [\"system.slice\"] "
                         "cgroup does not exist");
  }
  SECTION("a cgroup missing only in systemd's hierarchy does not exist either (kubelet's Exists)") {
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids"}) {
      REQUIRE(fs.MakeDir(c, "/system.slice").ok());
      REQUIRE(fs.MakeDir(c, "/kube.slice").ok());
    }
    CHECK(m.EnforceReservedCgroups().message().find("cgroup does not exist") != std::string::npos);
    REQUIRE(fs.MakeDir("systemd", "/system.slice").ok());
    REQUIRE(fs.MakeDir("systemd", "/kube.slice").ok());
    REQUIRE(m.EnforceReservedCgroups().ok());
    CHECK(fs.Value("cpu", "/system.slice", "cpu.shares") == "256");
    CHECK(fs.Value("memory", "/system.slice", "memory.limit_in_bytes") == std::to_string(128 * kMi));
    CHECK(fs.Value("pids", "/system.slice", "pids.max").empty());  // no pid reserved
    CHECK(fs.Value("cpu", "/kube.slice", "cpu.shares") == "512");
    CHECK(fs.Value("memory", "/kube.slice", "memory.limit_in_bytes") == std::to_string(256 * kMi));
    CHECK(fs.Value("pids", "/kube.slice", "pids.max") == "100");
  }
  SECTION("a write the kernel refuses fails the enforcement") {
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "systemd"}) REQUIRE(fs.MakeDir(c, "/system.slice").ok());
    fs.RefuseWrites("memory.limit_in_bytes", "device or resource busy");
    Status s = m.EnforceReservedCgroups();
    CHECK(s.message().rfind("Failed to enforce System Reserved Cgroup Limits on \"/system.slice\": write ", 0) == 0);
    CHECK(s.message().find("device or resource busy") != std::string::npos);
  }
  SECTION("podPidsLimit: every pod cgroup's pids.max") {
    auto pod = crilet::testing::MakePod({"app"});
    m.EnsurePod(pod);
    CHECK(fs.Value("pids", "/kubepods/besteffort/pod" + pod.metadata.uid, "pids.max") == "256");
  }
}

TEST_CASE("reserved cgroups: enforcing one with nothing reserved is kubelet's error", "[allocatable][cgroups]") {
  FakeCgroupFs fs;
  PodCgroupConfig config;
  config.reserved_cgroups = {{"Kube Reserved", "/kube", ResourceReservation{}}};
  PodCgroupManager m(config, &fs);
  std::string why;
  REQUIRE(m.Start(&why));
  CHECK(m.EnforceReservedCgroups().message() ==
        "Failed to enforce Kube Reserved Cgroup Limits on \"/kube\": [\"kube\"] cgroup is not config properly");
}

TEST_CASE("podPidsLimit: -1 and 0 leave the pod's pids.max alone", "[allocatable][cgroups]") {
  auto pod = crilet::testing::MakePod({"app"});
  CHECK(!PodCgroupResources(pod).pids_limit);
  CHECK(!PodCgroupResources(pod, 0).pids_limit);
  CHECK(!PodCgroupResources(pod, -1).pids_limit);
  CHECK(PodCgroupResources(pod, 1024).pids_limit == 1024);
}

TEST_CASE("flags and KubeletConfiguration: reservations, their cgroups, enforceNodeAllocatable, podPidsLimit",
          "[allocatable][flags]") {
  manifests::KubeletConfigFile file;
  std::vector<std::string> warnings;
  REQUIRE(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                        "staticPodPath: /m\nkubeReserved: {cpu: 200m, memory: 512Mi, pid: 100}\n"
                                        "systemReserved:\n  cpu: 100m\nkubeReservedCgroup: /kube.slice\n"
                                        "systemReservedCgroup: /system.slice\n"
                                        "enforceNodeAllocatable: [pods, kube-reserved]\npodPidsLimit: 4096\n",
                                        "k.yaml", &file, &warnings)
              .ok());
  CHECK(warnings.empty());
  CHECK(file.ignored_fields.empty());
  cli::DaemonConfig defaults;
  CHECK(defaults.enforce_node_allocatable == std::vector<std::string>{"pods"});
  CHECK(defaults.pod_pids_limit == -1);
  CHECK(defaults.kube_reserved.empty());

  cli::RunFlags none;
  cli::DaemonConfig d;
  REQUIRE(cli::ResolveDaemonConfig(none, &file, &d).ok());
  CHECK(d.kube_reserved == std::map<std::string, std::string>{{"cpu", "200m"}, {"memory", "512Mi"}, {"pid", "100"}});
  CHECK(d.system_reserved == std::map<std::string, std::string>{{"cpu", "100m"}});
  CHECK(d.kube_reserved_cgroup == "/kube.slice");
  CHECK(d.system_reserved_cgroup == "/system.slice");
  CHECK(d.enforce_node_allocatable == std::vector<std::string>{"pods", "kube-reserved"});
  CHECK(d.pod_pids_limit == 4096);
  NodeAllocatableConfig na;
  REQUIRE(cli::NodeAllocatableFromConfig(d, &na).ok());
  CHECK(na.kube_reserved.memory_bytes == 512 * kMi);
  CHECK(na.system_reserved.cpu_milli == 100);
  CHECK(na.Enforces("kube-reserved"));

  // A map flag replaces the file's map, and its repeats merge; --enforce-node-allocatable= is the empty list.
  auto parsed = cli::ParseRunFlags({"--kube-reserved", "cpu=1", "--kube-reserved=memory=1Gi, pid=50",
                                    "--enforce-node-allocatable=", "--pod-max-pids", "-1",
                                    "--system-reserved-cgroup", "/sys.slice"});
  REQUIRE(parsed.error.empty());
  CHECK(parsed.flags.ignored_flags.empty());
  cli::DaemonConfig f;
  REQUIRE(cli::ResolveDaemonConfig(parsed.flags, &file, &f).ok());
  CHECK(f.kube_reserved == std::map<std::string, std::string>{{"cpu", "1"}, {"memory", "1Gi"}, {"pid", "50"}});
  CHECK(f.system_reserved == std::map<std::string, std::string>{{"cpu", "100m"}});
  CHECK(f.enforce_node_allocatable.empty());
  CHECK(f.pod_pids_limit == -1);
  CHECK(f.system_reserved_cgroup == "/sys.slice");

  auto list = cli::ParseRunFlags({"--enforce-node-allocatable", "pods,system-reserved", "--system-reserved-cgroup=/s"});
  cli::DaemonConfig l;
  REQUIRE(cli::ResolveDaemonConfig(list.flags, &file, &l).ok());
  CHECK(l.enforce_node_allocatable == std::vector<std::string>{"pods", "system-reserved"});

  auto gpu = cli::ParseRunFlags({"--system-reserved", "nvidia.com/gpu=1"});
  cli::DaemonConfig g;
  CHECK(cli::ResolveDaemonConfig(gpu.flags, &file, &g).message() ==
        "--system-reserved value failed to parse: cannot reserve \"nvidia.com/gpu\" resource");
  auto malformed = cli::ParseRunFlags({"--kube-reserved", "cpu"});
  CHECK(cli::ResolveDaemonConfig(malformed.flags, &file, &g).message() == "--kube-reserved: malformed pair, expect string=string");
  auto no_cgroup = cli::ParseRunFlags({"--enforce-node-allocatable", "pods,system-reserved", "--system-reserved-cgroup="});
  CHECK(cli::ResolveDaemonConfig(no_cgroup.flags, &file, &g).message().find("systemReservedCgroup") != std::string::npos);
  auto off = cli::ParseRunFlags({"--cgroups-per-qos=false"});
  CHECK(cli::ResolveDaemonConfig(off.flags, &file, &g).message().find("is not supported unless cgroupsPerQOS") !=
        std::string::npos);  // the file's list was given
  auto pids = cli::ParseRunFlags({"--pod-max-pids", "many"});
  CHECK(pids.error == "failed to parse kubelet flag: invalid argument \"many\" for \"--pod-max-pids\" flag: "
                      "strconv.ParseInt: parsing \"many\": invalid syntax");
  CHECK(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                      "kubeReserved: [cpu]\n", "k.yaml", &file, &warnings)
            .message() == "k.yaml:3: kubeReserved: must map resource names to quantities");
}
