// Unit tests for kubelet-compatible details: container hash, backoff sequence, $(VAR) expansion, DNS, resources.
#include <catch2/catch.hpp>

#include "agent/backoff.h"
#include "agent/container_config.h"
#include "agent/container_starter.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>
#include "common/expansion.h"
#include "agent/labels.h"
#include "agent/sandbox_config.h"
#include "common/duration.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;

TEST_CASE("container hash matches kubelet's test vector", "[labels]") {
  // pkg/kubelet/container/helpers_test.go: test_container, foo/image:v1 => 0x8e45cbd0
  manifests::Container c = MakeContainer("test_container", "foo/image:v1");
  CHECK(FormatHash(ContainerHash(c)) == "8e45cbd0");
  CHECK(ParseHash("8e45cbd0") == 0x8e45cbd0);
  CHECK(ParseHash("xyz") == 0);
  // Only name and image matter.
  manifests::Container d = c;
  d.args = {"--verbose"};
  CHECK(ContainerHash(d) == ContainerHash(c));
}

TEST_CASE("crash backoff: 10s doubling to the cap, reset after 2x cap of stability", "[backoff]") {
  Backoff b(std::chrono::seconds(10), std::chrono::seconds(300));
  TimePoint t = FromUnixNanos(1'000'000'000'000'000'000);
  std::vector<int> seen;
  for (int i = 0; i < 7; ++i) {
    b.Next("k", t, t);
    seen.push_back(static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(b.Get("k")).count()));
    t += std::chrono::seconds(1);
  }
  CHECK(seen == std::vector<int>{10, 20, 40, 80, 160, 300, 300});
  CHECK(b.IsInBackOffSince("k", t, t + std::chrono::seconds(299)));
  CHECK_FALSE(b.IsInBackOffSince("k", t, t + std::chrono::seconds(300)));
  CHECK(b.BackOffUntil("k", t) == t + std::chrono::seconds(300));
  // An exit 601s after the last update means the container ran ~10 minutes: start over at 10s.
  TimePoint much_later = t + std::chrono::seconds(601);
  CHECK_FALSE(b.IsInBackOffSince("k", much_later, much_later));
  b.Next("k", much_later, much_later);
  CHECK(b.Get("k") == std::chrono::seconds(10));
  // Custom initial and max (the --crash-loop-backoff-* flags).
  Backoff fast(std::chrono::seconds(1), std::chrono::seconds(4));
  for (int i = 0; i < 5; ++i) fast.Next("k", t, t);
  CHECK(fast.Get("k") == std::chrono::seconds(4));
}

TEST_CASE("$(VAR) expansion follows Kubernetes' rules", "[expansion]") {
  auto lookup = [](const std::string& n) -> std::optional<std::string> {
    if (n == "A") return std::string("alpha");
    if (n == "EMPTY") return std::string("");
    return std::nullopt;
  };
  struct Row {
    std::string in, out;
  };
  for (const Row& r : std::vector<Row>{
           {"$(A)", "alpha"},
           {"x$(A)y", "xalphay"},
           {"$(MISSING)", "$(MISSING)"},
           {"$$(A)", "$(A)"},
           {"$$$(A)", "$alpha"},
           {"$(EMPTY)!", "!"},
           {"$(A", "$(A"},
           {"$(A $(A)", "$(A $(A)"},  // the name runs to the first ")": "A $(A" is unknown
           {"$(B $(A", "$(B $(A"},    // unclosed: kept, and scanning goes on
           {"$A", "$A"},
           {"$", "$"},
           {"a$", "a$"},
           {"$()", "$()"},
           {"100$$", "100$"},
       }) {
    CHECK(Expand(r.in, lookup) == r.out);
  }
}

TEST_CASE("env: in order, earlier values expand, fieldRef and resourceFieldRef resolve", "[env]") {
  auto pod = MakePod({"app"});
  pod.metadata.labels["tier"] = "web";
  auto& c = pod.spec.containers[0];
  c.resources.limits["memory"] = manifests::Quantity{"128Mi", 128LL * 1024 * 1024 * 1000};
  c.resources.requests["cpu"] = manifests::Quantity{"250m", 250};
  auto lit = [](std::string n, std::string v) { manifests::EnvVar e; e.name = n; e.value = v; return e; };
  auto field = [](std::string n, std::string p) { manifests::EnvVar e; e.name = n; e.field_ref = manifests::ObjectFieldSelector{"v1", p}; return e; };
  auto res = [](std::string n, std::string r, std::optional<manifests::Quantity> div = std::nullopt) {
    manifests::EnvVar e; e.name = n; e.resource_field_ref = manifests::ResourceFieldSelector{"", r, div}; return e; };
  c.env = {lit("HOST", "example"), lit("URL", "http://$(HOST):$(PORT)/"), lit("PORT", "80"),
           field("POD", "metadata.name"), field("NS", "metadata.namespace"), field("IP", "status.podIP"),
           field("NODE", "spec.nodeName"), field("TIER", "metadata.labels['tier']"),
           res("MEM", "limits.memory", manifests::Quantity{"1Mi", 1024 * 1024 * 1000}), res("CPU", "requests.cpu"),
           res("CPU_M", "requests.cpu", manifests::Quantity{"1m", 1}), res("CPU_LIMIT", "limits.cpu")};
  ContainerContext ctx;
  ctx.pod_ip = "10.88.0.7";
  ctx.node_cpu_milli = 2000;
  std::vector<std::pair<std::string, std::string>> env;
  REQUIRE(MakeEnvironment(pod, c, ctx, &env).ok());
  std::map<std::string, std::string> m(env.begin(), env.end());
  CHECK(m["URL"] == "http://example:$(PORT)/");  // PORT is defined later: left as written
  CHECK(m["POD"] == "web-node1");
  CHECK(m["NS"] == "default");
  CHECK(m["IP"] == "10.88.0.7");
  CHECK(m["NODE"] == "node1");
  CHECK(m["TIER"] == "web");
  CHECK(m["MEM"] == "128");
  CHECK(m["CPU"] == "1");     // 250m rounds up to 1 core
  CHECK(m["CPU_M"] == "250");
  CHECK(m["CPU_LIMIT"] == "2");  // unset limit: node allocatable
  CHECK(env.front().first == "HOST");

  auto bad = field("X", "status.phase");
  c.env = {bad};
  Status s = MakeEnvironment(pod, c, ctx, &env);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "env X: unsupported fieldRef status.phase");
}

TEST_CASE("command and args expand against the final environment", "[env]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  manifests::EnvVar e;
  e.name = "MSG";
  e.value = "hi";
  c.env = {e};
  c.command = {"sh", "-c", "echo $(MSG) $$(MSG) $(NOPE)"};
  cri::ContainerConfig cfg;
  ContainerContext ctx;
  ctx.etc_hosts_path = "/r/pods/u/etc-hosts";
  ctx.termination_message_path = "/r/pods/u/containers/app/abc";
  ctx.restart_count = 3;
  REQUIRE(BuildContainerConfig(pod, c, ctx, &cfg).ok());
  CHECK(cfg.command[2] == "echo hi $(MSG) $(NOPE)");
  CHECK(cfg.log_path == "app/3.log");
  CHECK(cfg.attempt == 3);
  CHECK(cfg.annotations.at(kRestartCountAnnotation) == "3");
  CHECK(cfg.labels.at(kContainerNameLabel) == "app");
  CHECK(cfg.labels.size() == 4);  // pod labels are not copied onto containers
  REQUIRE(cfg.mounts.size() == 2);
  CHECK(cfg.mounts[0].container_path == "/etc/hosts");
  CHECK(cfg.mounts[1].container_path == "/dev/termination-log");
  CHECK(cfg.security.masked_paths.size() == 11);
}

TEST_CASE("resources map to cgroup values as kubelet computes them", "[resources]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  auto q = [](const char* text, int64_t milli) { return manifests::Quantity{text, milli}; };
  SECTION("best effort") {
    auto r = MakeResources(pod, c, 8LL << 30);
    CHECK(r.cpu_shares == 2);
    CHECK(r.cpu_quota == 0);
    CHECK(r.memory_limit_in_bytes == 0);
    CHECK(r.oom_score_adj == 1000);
    CHECK(PodQosClass(pod) == "BestEffort");
  }
  SECTION("guaranteed") {
    c.resources.limits["cpu"] = q("500m", 500);
    c.resources.limits["memory"] = q("1Gi", (1LL << 30) * 1000);
    auto r = MakeResources(pod, c, 8LL << 30);
    CHECK(r.cpu_shares == 512);  // requests default to limits
    CHECK(r.cpu_period == 100000);
    CHECK(r.cpu_quota == 50000);
    CHECK(r.memory_limit_in_bytes == (1LL << 30));
    CHECK(r.oom_score_adj == -997);
    CHECK(PodQosClass(pod) == "Guaranteed");
  }
  SECTION("burstable") {
    c.resources.requests["memory"] = q("2Gi", (2LL << 30) * 1000);
    c.resources.requests["cpu"] = q("10m", 10);
    auto r = MakeResources(pod, c, 8LL << 30);
    CHECK(r.cpu_shares == 10);
    CHECK(r.oom_score_adj == 750);
    CHECK(PodQosClass(pod) == "Burstable");
  }
}

TEST_CASE("DNS follows dnsPolicy like kubelet", "[dns]") {
  cri::DnsConfig host = ParseResolvConf("# comment\nnameserver 10.0.0.53\nsearch corp.example lab\noptions edns0\n");
  CHECK(host.servers == std::vector<std::string>{"10.0.0.53"});
  CHECK(host.searches == std::vector<std::string>{"corp.example", "lab"});
  AgentOptions opts;
  auto pod = MakePod({"app"});

  SECTION("ClusterFirst without cluster DNS falls back to the host's, with the event flag") {
    auto d = ComputeDns(pod, opts, host);
    CHECK(d.missing_cluster_dns);
    CHECK(d.config.servers == host.servers);
  }
  SECTION("ClusterFirst with cluster DNS") {
    opts.cluster_dns = {"10.96.0.10"};
    opts.cluster_domain = "cluster.local";
    auto d = ComputeDns(pod, opts, host);
    CHECK_FALSE(d.missing_cluster_dns);
    CHECK(d.config.servers == std::vector<std::string>{"10.96.0.10"});
    CHECK(d.config.searches == std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local",
                                                        "cluster.local", "corp.example", "lab"});
    CHECK(d.config.options == std::vector<std::string>{"ndots:5"});
  }
  SECTION("hostNetwork with ClusterFirst uses the host's resolver") {
    opts.cluster_dns = {"10.96.0.10"};
    pod.spec.host_network = true;
    CHECK(ComputeDns(pod, opts, host).config.servers == host.servers);
  }
  SECTION("None uses only dnsConfig; options merge by name") {
    pod.spec.dns_policy = "None";
    manifests::PodDnsConfig dc;
    dc.nameservers = {"1.1.1.1"};
    dc.options = {{"ndots", std::string("2")}, {"edns0", std::nullopt}};
    pod.spec.dns_config = dc;
    auto d = ComputeDns(pod, opts, host);
    CHECK(d.config.servers == std::vector<std::string>{"1.1.1.1"});
    CHECK(d.config.options == std::vector<std::string>{"ndots:2", "edns0"});
  }
}

TEST_CASE("sandbox config carries kubelet's identity, namespaces and ports", "[sandbox]") {
  auto pod = MakePod({"app"});
  pod.metadata.labels["app"] = "web";
  manifests::ContainerPort p;
  p.container_port = 80;
  p.host_port = 8080;
  p.protocol = "TCP";
  pod.spec.containers[0].ports = {p};
  AgentOptions opts;
  opts.pod_logs_dir = "/var/log/pods";
  auto c = BuildSandboxConfig(pod, 2, opts, {});
  CHECK(c.metadata.attempt == 2);
  CHECK(c.hostname == "web-node1");
  CHECK(c.log_directory == "/var/log/pods/default_web-node1_0123456789abcdef0123456789abcdef");
  CHECK(c.labels.at("app") == "web");
  CHECK(c.labels.at(kPodUidLabel) == pod.metadata.uid);
  CHECK(c.annotations.at("kubernetes.io/config.source") == "file");
  CHECK(c.namespaces.network == cri::NamespaceMode::kPod);
  CHECK(c.namespaces.pid == cri::NamespaceMode::kContainer);
  REQUIRE(c.port_mappings.size() == 1);
  CHECK(c.port_mappings[0].host_port == 8080);

  pod.spec.host_network = true;
  pod.spec.host_pid = true;
  auto h = BuildSandboxConfig(pod, 0, opts, {});
  CHECK(h.hostname.empty());  // runc cannot set a hostname without its own UTS namespace
  CHECK(h.namespaces.network == cri::NamespaceMode::kNode);
  CHECK(h.namespaces.pid == cri::NamespaceMode::kNode);
}

TEST_CASE("Go durations parse and format", "[duration]") {
  std::string err;
  CHECK(ParseDuration("20s", &err) == std::chrono::seconds(20));
  CHECK(ParseDuration("1m30s", &err) == std::chrono::seconds(90));
  CHECK(ParseDuration("300ms", &err) == std::chrono::milliseconds(300));
  CHECK(ParseDuration("1.5h", &err) == std::chrono::minutes(90));
  CHECK(ParseDuration("0", &err) == std::chrono::seconds(0));
  CHECK_FALSE(ParseDuration("20", &err));
  CHECK(err == "invalid duration \"20\": missing unit (use ns, us, ms, s, m or h)");
  CHECK_FALSE(ParseDuration("5x", &err));
  CHECK_FALSE(ParseDuration("", &err));
  CHECK(FormatDuration(std::chrono::seconds(20)) == "20s");
  CHECK(FormatDuration(std::chrono::seconds(90)) == "1m30s");
  CHECK(FormatDuration(std::chrono::seconds(300)) == "5m0s");
  CHECK(FormatDuration(std::chrono::milliseconds(250)) == "250ms");
  CHECK(FormatAge(std::chrono::seconds(45)) == "45s");
  CHECK(FormatAge(std::chrono::seconds(312)) == "5m12s");
  CHECK(FormatAge(std::chrono::hours(50)) == "2d2h");
  // apimachinery's HumanDuration cases, which kubectl's AGE and LAST SEEN print.
  using std::chrono::hours, std::chrono::milliseconds, std::chrono::minutes, std::chrono::seconds;
  CHECK(FormatAge(milliseconds(-1500)) == "<invalid>");
  CHECK(FormatAge(milliseconds(-800)) == "0s");
  CHECK(FormatAge(milliseconds(1600)) == "2s");  // rounded, not cut
  CHECK(FormatAge(seconds(119)) == "119s");
  CHECK(FormatAge(minutes(9) + seconds(59)) == "9m59s");
  CHECK(FormatAge(minutes(10)) == "10m");
  CHECK(FormatAge(hours(2) + minutes(59)) == "179m");
  CHECK(FormatAge(hours(3)) == "3h");
  CHECK(FormatAge(hours(7) + minutes(30)) == "7h30m");
  CHECK(FormatAge(hours(47)) == "47h");
  CHECK(FormatAge(hours(24 * 7 + 23)) == "7d23h");
  CHECK(FormatAge(hours(24 * 8)) == "8d");
  CHECK(FormatAge(hours(24 * 729)) == "729d");
  CHECK(FormatAge(hours(24 * 730)) == "2y");
  CHECK(FormatAge(hours(24 * (365 * 3 + 10))) == "3y10d");
  CHECK(FormatAge(hours(24 * 365 * 9)) == "9y");
}

TEST_CASE("restart count from the log directory when no instance is left", "[restartcount]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("crilet-logdir-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  CHECK(RestartCountFromLogDir(dir.string()) == 0);
  fs::create_directories(dir);
  CHECK(RestartCountFromLogDir(dir.string()) == 0);
  for (const char* f : {"0.log", "3.log.20261124-101010", "2.log", "x.log", "7.logx", "12"}) std::ofstream(dir / f) << "";
  CHECK(RestartCountFromLogDir(dir.string()) == 4);
  fs::remove_all(dir);
}
