// crilet run's command line as kubelet's pflag reads it, the ignored-settings warnings, and the config checks.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/sandbox_config.h"
#include "cli/daemon_config.h"
#include "cli/ignored_settings.h"
#include "cli/run_flags.h"
#include "manifests/kubelet_config.h"

using namespace crilet;
using namespace crilet::cli;

namespace {

RunFlagsParse Parse(std::vector<std::string> args) { return ParseRunFlags(args); }

std::string ErrorOf(std::vector<std::string> args) { return ParseRunFlags(args).error; }

}  // namespace

TEST_CASE("kubelet flags: the last of a repeated flag wins, as kubeadm's drop-in layers KUBELET_EXTRA_ARGS",
          "[cli][flags]") {
  // ExecStart=kubelet $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS: the extra args override kubeadm's.
  auto r = Parse({"--node-ip", "10.0.0.1", "--pod-manifest-path=/etc/kubernetes/manifests", "--read-only-port",
                  "10255", "--node-ip=10.0.0.2", "--read-only-port=0", "-v", "2", "--v=4", "--exit-watcher=false",
                  "--exit-watcher", "--hostname-override", "a", "--hostname-override", "b"});
  REQUIRE(r.error.empty());
  CHECK(r.flags.node_ip == "10.0.0.2");
  CHECK(r.flags.read_only_port == 0);
  CHECK(r.flags.verbosity == 4);
  CHECK(r.flags.exit_watcher == true);
  CHECK(r.flags.hostname_override == "b");
  CHECK(r.flags.pod_manifest_path == "/etc/kubernetes/manifests");
  // Shorthand spellings pflag accepts.
  CHECK(Parse({"-v3"}).flags.verbosity == 3);
  CHECK(Parse({"-v=5"}).flags.verbosity == 5);
  // A value may start with a dash: pflag takes the next word whatever it is.
  CHECK(Parse({"--cgroup-root", "-x"}).flags.cgroup_root == "-x");
}

TEST_CASE("kubelet flags: list flags accumulate, --cluster-dns splits on commas like a pflag string slice",
          "[cli][flags]") {
  auto r = Parse({"--cluster-dns", "10.96.0.10,10.96.0.11", "--cluster-dns=10.96.0.12", "--manifest-url-header",
                  "A:1", "--manifest-url-header", "B:2"});
  REQUIRE(r.error.empty());
  CHECK(r.flags.cluster_dns == std::vector<std::string>{"10.96.0.10", "10.96.0.11", "10.96.0.12"});
  CHECK(r.flags.manifest_url_headers == std::vector<std::string>{"A:1", "B:2"});
  // kubelet's --node-labels is a map flag: a repeat adds its pairs (a later key wins when resolved).
  CHECK(Parse({"--node-labels", "zone=a", "--node-labels=disk=ssd,zone=b"}).flags.node_labels == "zone=a,disk=ssd,zone=b");
}

TEST_CASE("kubelet flags: argument errors are one line in kubelet's (pflag's) words", "[cli][flags]") {
  const std::string p = "failed to parse kubelet flag: ";
  CHECK(ErrorOf({"--foo"}) == p + "unknown flag: --foo");
  CHECK(ErrorOf({"--foo=1", "--node-ip", "1.2.3.4"}) == p + "unknown flag: --foo");
  CHECK(ErrorOf({"--read-only-port", "x"}) ==
        p + "invalid argument \"x\" for \"--read-only-port\" flag: strconv.ParseInt: parsing \"x\": invalid syntax");
  CHECK(ErrorOf({"--healthz-port=99999999999"}) ==
        p + "invalid argument \"99999999999\" for \"--healthz-port\" flag: strconv.ParseInt: parsing "
            "\"99999999999\": value out of range");
  CHECK(ErrorOf({"-v", "lots"}) ==
        p + "invalid argument \"lots\" for \"-v, --v\" flag: strconv.ParseInt: parsing \"lots\": invalid syntax");
  CHECK(ErrorOf({"--exit-watcher=maybe"}) ==
        p + "invalid argument \"maybe\" for \"--exit-watcher\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
  CHECK(ErrorOf({"--file-check-frequency", "5"}) ==
        p + "invalid argument \"5\" for \"--file-check-frequency\" flag: time: invalid duration \"5\"");
  // Ignored kubelet flags are checked as kubelet checks them.
  CHECK(ErrorOf({"--max-pods", "x"}) ==
        p + "invalid argument \"x\" for \"--max-pods\" flag: strconv.ParseInt: parsing \"x\": invalid syntax");
  CHECK(ErrorOf({"--fail-swap-on=no"}) ==
        p + "invalid argument \"no\" for \"--fail-swap-on\" flag: strconv.ParseBool: parsing \"no\": invalid syntax");
  CHECK(ErrorOf({"--pod-manifest-path", "/m", "--node-ip"}) == p + "flag needs an argument: --node-ip");
  CHECK(ErrorOf({"-v"}) == p + "flag needs an argument: 'v' in -v");
  CHECK(ErrorOf({"-x"}) == p + "unknown shorthand flag: 'x' in -x");
  CHECK(ErrorOf({"-node-ip", "1.2.3.4"}) == p + "unknown shorthand flag: 'n' in -node-ip");
  CHECK(ErrorOf({"---x"}) == p + "bad flag syntax: ---x");
  // A word that is not a flag is kubelet's "unknown command" (a bool flag does not take the next word).
  CHECK(ErrorOf({"--fail-swap-on", "false"}) == "unknown command false");
  CHECK(ErrorOf({"--", "--node-ip"}) == "unknown command --node-ip");
}

TEST_CASE("kubelet flags crilet does not implement are accepted and named for the start-up warning",
          "[cli][flags]") {
  // kubeadm's drop-in: KUBELET_KUBECONFIG_ARGS, KUBELET_CONFIG_ARGS, KUBELET_KUBEADM_ARGS, KUBELET_EXTRA_ARGS.
  auto r = Parse({"--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf", "--kubeconfig",
                  "/etc/kubernetes/kubelet.conf", "--config=/var/lib/kubelet/config.yaml",
                  "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
                  "--pod-infra-container-image=registry.k8s.io/pause:3.10", "--fail-swap-on", "--node-ip", "10.0.0.5",
                  "--kubeconfig=/other", "--anonymous-auth=false"});
  REQUIRE(r.error.empty());
  CHECK(r.flags.ignored_flags == std::vector<std::string>{"bootstrap-kubeconfig", "kubeconfig", "fail-swap-on",
                                                          "anonymous-auth"});
  CHECK(r.flags.pod_infra_container_image == "registry.k8s.io/pause:3.10");  // read: image GC keeps it
  CHECK(r.flags.config == "/var/lib/kubelet/config.yaml");
  CHECK(r.flags.runtime_endpoint == "unix:///var/run/containerd/containerd.sock");
  CHECK(r.flags.node_ip == "10.0.0.5");  // the bool --fail-swap-on did not swallow "--node-ip"
}

TEST_CASE("kubelet flags: --help, -h and --version, help lists the ignored kubelet flags", "[cli][flags]") {
  CHECK(Parse({"--help"}).help);
  CHECK(Parse({"-h"}).help);
  CHECK(Parse({"--version"}).version);
  std::string help = RunFlagsHelp();
  CHECK(help.find("--pod-manifest-path string") != std::string::npos);
  CHECK(help.find("--healthz-port int32") != std::string::npos);
  CHECK(help.find("--kubeconfig") != std::string::npos);
  CHECK(help.find("A flag given twice keeps the last value") != std::string::npos);
}

TEST_CASE("ignored settings: one warning per security consequence first, then one line for the rest",
          "[cli][flags][ignored]") {
  CHECK(IgnoredSettingsWarnings({}, {}).empty());
  auto lines = IgnoredSettingsWarnings({"maxPods", "cgroupDriver", "syncFrequency", "evictionHard", "authentication",
                                        "authorization", "rotateCertificates"},
                                       {"kubeconfig", "anonymous-auth", "eviction-hard"});
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] ==
        "crilet ignores authentication, authorization, --anonymous-auth (security-related): crilet serves no "
        "authenticated API (kubelet's port 10250, with exec, attach and logs); its status server is read-only and "
        "unauthenticated, like kubelet's read-only port");
  CHECK(lines[1] == "crilet ignores rotateCertificates (security-related): crilet serves no HTTPS and uses no client "
                    "or serving certificates");
  CHECK(lines[2] == "crilet ignores evictionHard, --eviction-hard (security-related): crilet evicts no pods when the "
                    "node runs low on memory, disk or PIDs");
  CHECK(lines[3] == "crilet ignores these kubelet settings, which it does not implement: maxPods, cgroupDriver, "
                    "syncFrequency, --kubeconfig");
}

TEST_CASE("KubeletConfiguration: ignored fields are listed (syncFrequency), healthz and cgroupDriver are read",
          "[kubeletconfig][ignored]") {
  manifests::KubeletConfigFile c;
  std::vector<std::string> warnings;
  REQUIRE(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                        "authentication: {anonymous: {enabled: false}}\ncgroupDriver: systemd\n"
                                        "syncFrequency: 1m\nhealthzBindAddress: 127.0.0.2\nhealthzPort: 0\n"
                                        "maxPods: 110\nstaticPodPath: /m\n",
                                        "k.yaml", &c, &warnings)
              .ok());
  CHECK(warnings.empty());
  CHECK(c.ignored_fields == std::vector<std::string>{"authentication", "syncFrequency", "maxPods"});
  CHECK(c.cgroup_driver == "systemd");
  CHECK(c.healthz_bind_address == "127.0.0.2");
  CHECK(c.healthz_port == 0);

  RunFlags f;
  DaemonConfig d;
  REQUIRE(ResolveDaemonConfig(f, &c, &d).ok());
  CHECK(d.healthz_bind_address == "127.0.0.2");
  CHECK(d.healthz_port == 0);  // the file disables it
  f.healthz_port = 10248;
  DaemonConfig flag_wins;
  REQUIRE(ResolveDaemonConfig(f, &c, &flag_wins).ok());
  CHECK(flag_wins.healthz_port == 10248);

  RunFlags plain;
  plain.pod_manifest_path = "/m";
  DaemonConfig defaults;
  REQUIRE(ResolveDaemonConfig(plain, nullptr, &defaults).ok());
  CHECK(defaults.healthz_bind_address == "127.0.0.1");  // kubelet's healthz default, which kubeadm polls
  CHECK(defaults.healthz_port == 10248);
  plain.healthz_port = 70000;
  CHECK(ResolveDaemonConfig(plain, nullptr, &defaults).message() == "--healthz-port: must be 0 (disabled) to 65535");
}

TEST_CASE("config checks: a missing staticPodPath or resolvConf is reported, not fatal", "[cli][ignored]") {
  DaemonConfig c;
  c.manifest_path = "/etc/kubernetes/manifests";
  c.resolv_conf = "/run/systemd/resolve/resolv.conf";
  auto none = [](const std::string&, bool) { return std::string(); };
  CHECK(ConfigFileProblems(c, none).empty());
  auto missing = [](const std::string&, bool) { return std::string("no such file or directory"); };
  CHECK(ConfigFileProblems(c, missing) ==
        std::vector<std::string>{
            "staticPodPath /etc/kubernetes/manifests: path does not exist, ignoring (pods are read once it is created)",
            "resolvConf: open /run/systemd/resolve/resolv.conf: no such file or directory (pod sandboxes fail with "
            "FailedCreatePodSandBox until it exists)"});
  c.resolv_conf = "";  // kubelet: an empty resolvConf means no host resolver file
  CHECK(ConfigFileProblems(c, missing).size() == 1);
  CHECK(OpenError("/nonexistent-crilet-test/x", true) == "no such file or directory");
  CHECK(OpenError("/", true).empty());
}

TEST_CASE("resolv.conf: kubelet's getHostDNSConfig error fails the sandbox, the file is read again each time",
          "[agent][dns]") {
  cri::DnsConfig dns;
  Status s = agent::ReadHostDns("/nonexistent-crilet-test/resolv.conf", &dns);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "open /nonexistent-crilet-test/resolv.conf: no such file or directory");
  std::string path = (std::filesystem::temp_directory_path() / "crilet-resolv-test.conf").string();
  {
    std::ofstream out(path);
    out << "nameserver 10.0.0.53\nsearch example.com\n";
  }
  REQUIRE(agent::ReadHostDns(path, &dns).ok());
  CHECK(dns.servers == std::vector<std::string>{"10.0.0.53"});
  CHECK(dns.searches == std::vector<std::string>{"example.com"});
  std::remove(path.c_str());
  CHECK_FALSE(agent::ReadHostDns(path, &dns).ok());
  CHECK(agent::ReadHostDns("", &dns).ok());
  CHECK(dns.servers.empty());
}
