// The daemon's start-up, main loop and shutdown.
#include "cli/run_command.h"

#include <malloc.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/log_rotator.h"
#include "manifests/quantity.h"
#include "cli/host_path_warnings.h"
#include "cli/node_info.h"
#include "common/duration.h"
#include "common/logging.h"
#include "common/oom_score.h"
#include "cri/grpc_runtime.h"
#include "cri/instrumented_runtime.h"
#include "manifests/path_safety.h"
#include "manifests/pod_config.h"
#include "manifests/url_source.h"
#include "manifests/validation.h"
#include "probes/http_prober.h"
#include "probes/probe_manager.h"
#include "server/status_server.h"

namespace crilet::cli {
namespace {

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits up to `d` for a signal; returns it, or 0 on timeout.
int WaitSignal(std::chrono::milliseconds d) {
  sigset_t set = DaemonSignals();
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>((d.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

// Blocks until the runtime answers Version, saying once (clearly) why it cannot be reached. False if a
// stop signal came first. `report` receives the reason while it is unreachable.
bool WaitForRuntime(cri::Runtime* runtime, const std::string& endpoint,
                    const std::function<void(const std::string&)>& report) {
  auto delay = std::chrono::milliseconds(500);
  bool told = false;
  while (true) {
    cri::VersionInfo v;
    Status s = runtime->Version(&v);
    if (s.ok()) {
      spdlog::info("connected to {} {} (CRI {}) at {}", v.runtime_name, v.runtime_version, v.runtime_api_version,
                   endpoint);
      report("");
      return true;
    }
    report("cannot reach container runtime at " + endpoint + ": " + s.message());
    if (!told) {
      spdlog::error("cannot reach container runtime at {}: {}; retrying", endpoint, s.message());
      told = true;
    } else {
      spdlog::debug("container runtime at {} still unreachable: {}", endpoint, s.message());
    }
    int sig = WaitSignal(delay);
    if (sig == SIGINT || sig == SIGTERM) return false;
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(10));
  }
}

Status HookHttpGet(const std::string& url, const std::vector<manifests::HttpHeader>& headers,
                   std::chrono::milliseconds timeout) {
  probes::HttpRequest req;
  req.url = url;
  req.headers = headers;
  req.timeout = timeout;
  req.user_agent = "kube-lifecycle/1.33";
  // Kubelet only fails a hook on transport errors; the HTTP status is not checked.
  probes::HttpResponse r = probes::HttpGet(req);
  if (r.status == 0) return Status(Code::kUnavailable, r.transport_error);
  return Status::Ok();
}

}  // namespace

int RunDaemon(const DaemonConfig& c) {
  // glibc gives each thread that allocates its own arena (up to 8 per core); with per-pod workers and the
  // probe pool that kept ~10 MB of freed memory resident. Two arenas are plenty for an agent that mostly
  // waits. MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  sigset_t signals = DaemonSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so all inherit the mask
  // A peer that closes its socket while crilet writes (an HTTPS probe target, a manifest URL) must cost an
  // EPIPE, not the daemon: OpenSSL writes with write(2), which raises SIGPIPE.
  signal(SIGPIPE, SIG_IGN);

  if (!c.manifest_path.empty()) {
    // Manifests run privileged containers as root: whoever can write them owns the node.
    auto euid = static_cast<uint32_t>(::geteuid());
    if (c.allow_insecure_manifest_dir) {
      std::string why = manifests::ManifestPathRefusal(c.manifest_path, euid, true);
      spdlog::warn("{}: manifest owner and mode checks are off{}", manifests::kAllowInsecureManifestDirFlag,
                   why.empty() ? "" : "; " + why);
    } else if (std::string refusal = manifests::ManifestPathRefusal(c.manifest_path, euid); !refusal.empty()) {
      spdlog::error("{}", refusal);
      return 2;
    }
  }

  agent::AgentOptions opts;
  opts.node_name = c.node_name.empty() ? DefaultNodeName() : c.node_name;
  if (auto why = manifests::CheckDnsSubdomain(opts.node_name); c.node_name.empty() && !why.empty()) {
    // The host name becomes part of every static pod's name and log directory.
    spdlog::error("node name {} (the host name): {}; give a valid one with --hostname-override", opts.node_name, why);
    return 2;
  }
  opts.node_ip = c.node_ip.empty() ? DefaultNodeIp() : c.node_ip;
  opts.root_dir = c.root_dir;
  opts.node_labels = c.node_labels;
  opts.pod_logs_dir = c.pod_logs_dir;
  opts.resolv_conf = c.resolv_conf;
  opts.cluster_dns = c.cluster_dns;
  opts.cluster_domain = c.cluster_domain;
  opts.cgroup_parent = c.cgroup_root;
  opts.relist_period = c.relist_period;
  opts.crash_backoff_initial = c.crash_backoff_initial;
  opts.crash_backoff_max = c.crash_backoff_max;
  opts.runtime_endpoint = c.runtime_endpoint;
  opts.watch_exits = c.exit_watcher;
  std::error_code ec;
  for (const auto& dir : {c.root_dir, c.pod_logs_dir}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      spdlog::error("cannot create {}: {}", dir, ec.message());
      return 1;
    }
  }
  spdlog::info("crilet {} starting: node {} ({}), manifests from {}{}{}", CRILET_VERSION_STRING, opts.node_name,
               opts.node_ip, c.manifest_path, c.manifest_path.empty() || c.manifest_url.empty() ? "" : " and ",
               c.manifest_url);
  // Kubelet's own oom_score_adj (-999); a host that refuses it gets one warning, never a failed start.
  if (Status s = ApplyOomScoreAdj(0, kKubeletOomScoreAdj); !s.ok()) spdlog::warn("crilet's own oom_score_adj: {}", s.message());

  cri::GrpcRuntimeOptions ro;
  ro.endpoint = c.runtime_endpoint;
  ro.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.runtime_request_timeout);
  cri::GrpcRuntime runtime(ro);
  std::string endpoint_error;
  if (cri::EndpointToTarget(c.runtime_endpoint, &endpoint_error).empty()) {
    spdlog::error("--container-runtime-endpoint: {}", endpoint_error);
    return 2;
  }

  RealClock clock;
  Metrics metrics;
  server::DeclareMetrics(&metrics);
  cri::InstrumentedRuntime timed(&runtime, &metrics);  // every CRI call the agent and probes make is timed
  agent::Agent agent(opts, &timed, &clock, &metrics, HookHttpGet);
  probes::ProbeManager prober(&timed, &clock, agent.events(), &metrics,
                              [&](const std::string& uid) { agent.PodChanged(uid); });
  agent.SetProber(&prober);

  manifests::PodConfig::Options po;
  po.manifest_path = c.manifest_path;
  po.manifest_url = c.manifest_url;
  po.url_headers = c.manifest_url_headers;
  po.file_check_frequency = c.file_check_frequency;
  po.http_check_frequency = c.http_check_frequency;
  po.node_name = opts.node_name;
  po.check_manifest_ownership = !c.allow_insecure_manifest_dir;
  manifests::SensitivePaths sensitive{std::filesystem::absolute(c.root_dir, ec).string(), manifests::RuntimeSocketPath(c.runtime_endpoint)};
  HostPathWarnings host_path_warnings(sensitive, agent.events());
  manifests::PodConfig config(
      po,
      [&](std::vector<manifests::Pod> pods) {
        agent.SetDesiredPods(pods, config.SourcesReady());
        // After the agent knows the pods, so the event's log line names the pod.
        host_path_warnings.Observe(pods);
      },
      &clock);
  std::unique_ptr<server::StatusServer> status;
  if (c.read_only_port != 0) {
    server::StatusServerDeps deps;
    deps.store = agent.statuses();
    deps.metrics = &metrics;
    deps.runtime_healthy = [&](std::string* why) { return agent.RuntimeHealthy(why); };
    deps.problems = [&] {
      std::vector<std::string> out;
      for (const auto& p : config.Problems()) out.push_back(p.ToString());
      return out;
    };
    deps.config = {{"staticPodPath", c.manifest_path},
                   {"staticPodURL", c.manifest_url},
                   {"containerRuntimeEndpoint", c.runtime_endpoint},
                   {"podLogsDir", c.pod_logs_dir},
                   {"rootDirectory", c.root_dir},
                   {"nodeName", opts.node_name},
                   {"nodeIP", opts.node_ip},
                   {"address", c.address},
                   {"readOnlyPort", c.read_only_port},
                   {"fileCheckFrequency", FormatDuration(c.file_check_frequency)},
                   {"httpCheckFrequency", FormatDuration(c.http_check_frequency)},
                   {"relistPeriod", FormatDuration(c.relist_period)},
                   {"crashLoopBackOff", {{"initialContainerRestartPeriod", FormatDuration(c.crash_backoff_initial)},
                                         {"maxContainerRestartPeriod", FormatDuration(c.crash_backoff_max)}}},
                   {"containerLogMaxSize", c.container_log_max_size},
                   {"containerLogMaxFiles", c.container_log_max_files},
                   {"clusterDNS", c.cluster_dns},
                   {"clusterDomain", c.cluster_domain}};
    status = std::make_unique<server::StatusServer>(deps);
    if (Status s = status->Start(c.address, c.read_only_port); !s.ok()) {
      spdlog::error("status server: {}", s.message());
      return 1;
    }
  }

  // The status server is up first, so /healthz can say why the runtime is unreachable while crilet waits.
  if (!WaitForRuntime(&runtime, c.runtime_endpoint, [&](const std::string& why) { agent.SetRuntimeError(why); })) {
    if (status) status->Stop();
    return 0;
  }
  prober.Start();
  agent.Start();
  agent::LogRotationOptions lr;
  lr.max_files = c.container_log_max_files;
  lr.max_size_bytes = manifests::ParseQuantity(c.container_log_max_size, nullptr)->Value();  // checked when resolved
  agent::LogRotator rotator(&timed, &clock, lr);
  rotator.Start();
  if (Status s = config.Start(); !s.ok()) {
    spdlog::error("manifest sources: {}", s.message());
    if (status) status->Stop();
    agent.Stop();
    prober.Stop();
    return 1;
  }

  while (true) {
    // Every 30 s, hand the pages of freed heap memory back to the kernel (a start or a burst of syncs leaves
    // free chunks behind that glibc keeps resident otherwise); it takes well under a millisecond.
    int sig = WaitSignal(std::chrono::seconds(30));
    if (sig == 0) {
      malloc_trim(0);
    } else if (sig == SIGHUP) {
      spdlog::info("SIGHUP: rescanning manifests");
      config.Rescan();
    } else if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("{}: shutting down; pods keep running", sig == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
  }
  if (status) status->Stop();
  config.Stop();
  rotator.Stop();
  agent.Stop();
  prober.Stop();
  spdlog::info("crilet stopped");
  return 0;
}

int RunCommand(int argc, char** argv) {
  CLI::App app{"crilet run: run static pods from a manifest directory or URL through a CRI runtime.\n"
               "Flags use kubelet's names; --config reads a KubeletConfiguration file and flags override it."};
  app.name("crilet run");
  RunFlags f;
  auto opt = [&](const char* name, std::optional<std::string>* target, const char* help) {
    return app.add_option_function<std::string>(name, [target](const std::string& v) { *target = v; }, help);
  };
  opt("--config", &f.config, "KubeletConfiguration (kubelet.config.k8s.io/v1beta1) file; flags override it");
  opt("--pod-manifest-path", &f.pod_manifest_path, "Static pod directory or file (config: staticPodPath)");
  opt("--manifest-url", &f.manifest_url, "URL serving a Pod or PodList (config: staticPodURL)");
  app.add_option("--manifest-url-header", f.manifest_url_headers, "Header for --manifest-url requests, Name:Value (repeatable)");
  opt("--container-runtime-endpoint", &f.runtime_endpoint, "CRI socket [default: unix:///run/containerd/containerd.sock]");
  opt("--root-dir", &f.root_dir, "Directory for volumes and checkpoints [default: /var/lib/crilet]");
  opt("--pod-logs-dir", &f.pod_logs_dir, "Container logs: <dir>/<ns>_<pod>_<uid>/<container>/<n>.log [default: /var/log/pods]");
  opt("--hostname-override", &f.hostname_override, "Node name; static pod foo runs as foo-<node> [default: host name]");
  opt("--node-labels", &f.node_labels, "Node labels key=value,... that nodeSelector and node affinity see, beside kubernetes.io/hostname, os and arch");
  opt("--node-ip", &f.node_ip, "Host IP, and pod IP of hostNetwork pods [default: address of the default route]");
  opt("--address", &f.address, "Status server address [default: 127.0.0.1]");
  app.add_option_function<int>("--read-only-port", [&](int v) { f.read_only_port = v; },
                               "Status server port, 0 disables it [default: 10255]");
  opt("--file-check-frequency", &f.file_check_frequency, "Full rescan period of the manifest directory [default: 20s]");
  opt("--http-check-frequency", &f.http_check_frequency, "Poll period of --manifest-url [default: 20s]");
  opt("--relist-period", &f.relist_period, "How often CRI state is listed to notice exits [default: 1s]");
  opt("--crash-loop-backoff-initial", &f.crash_backoff_initial, "First CrashLoopBackOff delay [default: 10s]");
  opt("--crash-loop-backoff-max", &f.crash_backoff_max, "CrashLoopBackOff cap (config: crashLoopBackOff.maxContainerRestartPeriod) [default: 300s]");
  opt("--runtime-request-timeout", &f.runtime_request_timeout, "Deadline of CRI calls [default: 2m]");
  app.add_option("--cluster-dns", f.cluster_dns, "DNS server(s) for ClusterFirst pods (config: clusterDNS)")->delimiter(',');
  opt("--cluster-domain", &f.cluster_domain, "Cluster domain for DNS search paths (config: clusterDomain)");
  opt("--resolv-conf", &f.resolv_conf, "Host resolver file for dnsPolicy Default [default: /etc/resolv.conf]");
  opt("--cgroup-root", &f.cgroup_root, "CRI cgroup parent of pod sandboxes [default: the runtime's choice]");
  opt("--container-log-max-size", &f.container_log_max_size, "Rotate a container log at this size [default: 10Mi]");
  app.add_option_function<int>("--container-log-max-files", [&](int v) { f.container_log_max_files = v; },
                               "Log files kept per container, current included [default: 5]");
  opt("--logging-format", &f.log_format, "Log format: text or json [default: text]");
  app.add_option_function<bool>("--exit-watcher", [&](bool v) { f.exit_watcher = v; },
                                "Learn of container exits at once through pidfds; false = only through the relist [default: true]");
  app.add_flag("--allow-insecure-manifest-dir", f.allow_insecure_manifest_dir,
               "Load manifests even from a path or file that a non-root user can write or that another user owns "
               "(refused by default: manifests run privileged containers as root); logged as one warning");
  app.add_option("-v,--v", f.verbosity, "Log verbosity: 0 info, 1-3 debug, 4+ trace [default: 0]");
  // Kubelet flags a lab user may pass that crilet does not need are accepted and named in a warning.
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string log_error;
  if (!SetupLogging(f.verbosity, f.log_format.value_or("text"), &log_error)) {
    std::cerr << "crilet run: " << log_error << "\n";
    return 2;
  }
  for (const auto& extra : app.remaining()) {
    if (extra.rfind("-", 0) == 0) spdlog::warn("flag {} is not supported by crilet and is ignored", extra);
  }
  manifests::KubeletConfigFile file;
  bool have_file = false;
  if (f.config) {
    std::vector<std::string> warnings;
    if (Status s = manifests::LoadKubeletConfig(*f.config, &file, &warnings); !s.ok()) {
      std::cerr << "crilet run: --config: " << s.message() << "\n";
      return 2;
    }
    for (const auto& w : warnings) spdlog::warn("{}", w);
    have_file = true;
  }
  DaemonConfig config;
  if (Status s = ResolveDaemonConfig(f, have_file ? &file : nullptr, &config); !s.ok()) {
    std::cerr << "crilet run: " << s.message() << "\n";
    return 2;
  }
  return RunDaemon(config);
}

}  // namespace crilet::cli
