// The daemon's start-up, main loop and shutdown.
#include "cli/run_command.h"

#include <malloc.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/claim_volumes.h"
#include "agent/disk_usage.h"
#include "agent/stats_collector.h"
#include "server/object_lists.h"
#include "agent/log_rotator.h"
#include "manifests/quantity.h"
#include "cli/configz.h"
#include "cli/host_path_warnings.h"
#include "cli/node_identity.h"
#include "cli/ignored_settings.h"
#include "cli/node_info.h"
#include "cli/run_flags.h"
#include "cli/signals.h"
#include "common/duration.h"
#include "common/logging.h"
#include "common/privilege.h"
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

// The node's boot time (/proc/stat btime), Unix nanoseconds; 0 when unknown. /stats/summary's node startTime.
int64_t BootTimeNanos() {
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return 0;
  char line[256];
  long long btime = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "btime %lld", &btime) == 1) break;
  }
  std::fclose(f);
  return btime * 1000000000LL;
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
      if (V(4)) spdlog::debug("container runtime at {} still unreachable: {}", endpoint, s.message());
    }
    int sig = WaitSignal(StopSignalSet(), delay);
    if (sig == SIGINT || sig == SIGTERM) return false;
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(10));
  }
}

// An httpGet hook's request, made on the probe manager's loop; the pod worker waits for its answer.
Status HookHttpGet(probes::ProbeManager* prober, const std::string& url, const std::vector<manifests::HttpHeader>& headers,
                   std::chrono::milliseconds timeout) {
  probes::HttpRequest req;
  req.url = url;
  req.headers = headers;
  req.timeout = timeout;
  req.user_agent = probes::kLifecycleUserAgent;
  // Kubelet only fails a hook on transport errors; the HTTP status is not checked.
  probes::HttpResponse r = prober->HttpGet(std::move(req)).get();
  if (r.status == 0) return Status(Code::kUnavailable, r.transport_error);
  return Status::Ok();
}

}  // namespace

int RunDaemon(const DaemonConfig& c) {
  // glibc gives each thread that allocates its own arena (up to 8 per core); with per-pod workers that kept
  // ~10 MB of freed memory resident. Two arenas are plenty for an agent that mostly waits. MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  BlockSignals(StopSignalSet());  // before any thread starts, so all inherit the mask
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
  // Kubelet trims and lowercases the node name (--hostname-override too) and refuses a --node-ip it cannot parse.
  if (Status s = NodeName(c.node_name, DefaultNodeName(), &opts.node_name); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  if (Status s = ParseNodeIp(c.node_ip, &opts.node_ip); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  if (opts.node_ip.empty()) opts.node_ip = DefaultNodeIp();
  if (auto why = manifests::CheckDnsSubdomain(opts.node_name); c.node_name.empty() && !why.empty()) {
    // The host name becomes part of every static pod's name and log directory.
    spdlog::error("node name {} (the host name): {}; give a valid one with --hostname-override", opts.node_name, why);
    return 2;
  }
  opts.root_dir = c.root_dir;
  opts.node_labels = c.node_labels;
  opts.pod_logs_dir = c.pod_logs_dir;
  opts.resolv_conf = c.resolv_conf;
  opts.cluster_dns = c.cluster_dns;
  opts.cluster_domain = c.cluster_domain;
  opts.cgroup_parent = c.cgroup_root;
  opts.cgroups_per_qos = c.cgroups_per_qos;
  opts.cgroup_driver = c.cgroup_driver;
  if (Status s = NodeAllocatableFromConfig(c, &opts.node_allocatable); !s.ok()) {  // checked when resolved
    spdlog::error("{}", s.message());
    return 1;
  }
  opts.pod_pids_limit = c.pod_pids_limit;
  opts.image_gc = true;
  opts.image_gc_high_threshold_percent = c.image_gc_high_threshold;
  opts.image_gc_low_threshold_percent = c.image_gc_low_threshold;
  opts.image_minimum_gc_age = c.image_minimum_gc_age;
  opts.image_maximum_gc_age = c.image_maximum_gc_age;
  opts.image_gc_period = c.image_gc_period;
  opts.pod_infra_container_image = c.pod_infra_container_image;
  opts.relist_period = c.relist_period;
  opts.crash_backoff_initial = c.crash_backoff_initial;
  opts.crash_backoff_max = c.crash_backoff_max;
  opts.runtime_endpoint = c.runtime_endpoint;
  opts.watch_exits = c.exit_watcher;
  std::error_code ec;
  for (const auto& dir : {c.root_dir, c.pod_logs_dir}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      spdlog::error("cannot create {}: {}{}", dir, ec.message(), RootAdvice(ec.value(), "its parent directory"));
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
  // Hooks run once the agent starts, after the prober exists (it needs the agent's event sink).
  probes::ProbeManager* hook_loop = nullptr;
  agent::Agent agent(opts, &timed, &clock, &metrics,
                     [&hook_loop](const std::string& url, const std::vector<manifests::HttpHeader>& headers,
                                  std::chrono::milliseconds timeout) { return HookHttpGet(hook_loop, url, headers, timeout); });
  if (!agent.startup_error().empty()) {
    // Kubelet's container manager fails to start on these, and kubelet with it.
    spdlog::error("Failed to start ContainerManager: {}", agent.startup_error());
    return 1;
  }
  probes::ProbeManager prober(&timed, &clock, agent.events(), &metrics,
                              [&](const std::string& uid) { agent.PodChanged(uid); });
  hook_loop = &prober;
  agent.SetProber(&prober);

  // Resource usage (kubelet's housekeeping): read-only cgroup and disk access of its own.
  agent::RealCgroupFs usage_cgroups;
  agent::RealDiskUsage usage_disk;
  std::unique_ptr<agent::StatsCollector> usage;
  if (c.housekeeping_interval.count() > 0) {
    agent::StatsCollectorOptions so;
    so.interval = c.housekeeping_interval;
    so.node_name = opts.node_name;
    std::error_code canonical_error;  // the agent resolves the root the same way (its volume paths)
    so.root_dir = std::filesystem::weakly_canonical(c.root_dir, canonical_error).string();
    if (canonical_error) so.root_dir = c.root_dir;
    so.pod_logs_dir = c.pod_logs_dir;
    so.pod_cgroups = agent.pod_cgroups_active() && c.cgroup_driver == "cgroupfs";
    so.cgroup_root = c.cgroup_root.empty() ? "/" : c.cgroup_root;
    so.node_cpu_milli = static_cast<uint64_t>(agent.node_cpu_milli());
    so.node_memory_bytes = static_cast<uint64_t>(agent.node_memory_bytes());
    so.node_start_time_ns = BootTimeNanos();
    usage = std::make_unique<agent::StatsCollector>(so, &timed, &usage_cgroups, &usage_disk,
                                                    [&agent] { return agent.statuses()->Pods(); }, &clock);
  }

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
  // Claims read the config's objects; the config (declared next) calls Reap from its change callback.
  std::function<manifests::LocalObjects()> objects_of_config;
  const std::string local_storage = LocalStoragePath(c);
  agent::ClaimVolumes claims([&objects_of_config] { return objects_of_config ? objects_of_config() : manifests::LocalObjects{}; },
                             local_storage, c.root_dir + "/pvc-bindings.json");
  agent.SetClaimVolumes(&claims);
  manifests::PodConfig config(
      po,
      [&](std::vector<manifests::Pod> pods) {
        agent.SetDesiredPods(pods, config.SourcesReady());
        // Provisions new claims' directories and deletes those of removed, unused claims.
        claims.Reap(pods, config.SourcesReady());
        // After the agent knows the pods, so the event's log line names the pod.
        host_path_warnings.Observe(pods);
      },
      &clock);
  agent.SetObjectSource([&config] { return config.Objects(); });
  objects_of_config = [&config] { return config.Objects(); };
  // Kubelet starts without these and carries on; say so once here, and in /healthz?verbose while it lasts.
  for (const auto& problem : ConfigFileProblems(c, OpenError)) spdlog::warn("{}", problem);
  std::unique_ptr<server::StatusServer> status;
  if (c.read_only_port != 0 || c.healthz_port != 0) {
    server::StatusServerDeps deps;
    deps.store = agent.statuses();
    deps.metrics = &metrics;
    deps.runtime_healthy = [&](std::string* why) { return agent.RuntimeHealthy(why); };
    deps.problems = [&] {
      std::vector<std::string> out;
      for (const auto& p : config.Problems()) out.push_back(p.ToString());
      return out;
    };
    deps.config_problems = [&c] { return ConfigFileProblems(c, OpenError); };
    deps.config = ConfigzJson(c, opts.node_name, opts.node_ip);
    deps.node_events = [&agent] { return agent.NodeEvents(); };
    deps.node_name = opts.node_name;
    if (usage) deps.usage = [&usage] { return usage->Latest(); };
    deps.objects = [&config, &claims](const std::string& kind) {
      manifests::LocalObjects objects = config.Objects();
      if (kind == "configmaps") return server::ConfigMapListJson(objects);
      if (kind == "secrets") return server::SecretListJson(objects);
      return server::ClaimListJson(objects, claims.Refresh(), claims.Users());
    };
    status = std::make_unique<server::StatusServer>(deps);
    server::StatusServerListeners listeners;
    listeners.serve_status = c.read_only_port != 0;
    listeners.address = c.address;
    listeners.port = c.read_only_port;
    listeners.serve_healthz = c.healthz_port != 0;
    listeners.healthz_address = c.healthz_bind_address;
    listeners.healthz_port = c.healthz_port;
    if (Status s = status->Start(listeners); !s.ok()) {
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
  if (usage) usage->Start();
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
    int sig = WaitSignal(StopSignalSet(), std::chrono::seconds(30));
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
  if (usage) usage->Stop();
  agent.Stop();
  prober.Stop();
  spdlog::info("crilet stopped");
  return 0;
}

int RunCommand(int argc, char** argv) {
  RunFlagsParse parsed = ParseRunFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) {
    // Kubelet's words and exit status: one line, no usage dump.
    std::cerr << "Error: " << parsed.error << "\n";
    return 1;
  }
  if (parsed.help) {
    std::cout << RunFlagsHelp();
    return 0;
  }
  if (parsed.version) {
    std::cout << "crilet " << CRILET_VERSION_STRING << " (CRI runtime.v1)\n";
    return 0;
  }
  RunFlags& f = parsed.flags;
  std::string log_error;
  if (!SetupLogging(f.verbosity, f.log_format.value_or("text"), &log_error)) {
    std::cerr << "Error: " << log_error << "\n";
    return 1;
  }
  manifests::KubeletConfigFile file;
  bool have_file = false;
  if (f.config) {
    // The config names staticPodPath and what crilet enforces: whoever can write it owns the node too.
    auto euid = static_cast<uint32_t>(::geteuid());
    if (std::string why = manifests::ManifestPathRefusal(*f.config, euid, f.allow_insecure_manifest_dir,
                                                         "kubelet config");
        !why.empty()) {
      if (!f.allow_insecure_manifest_dir) {
        std::cerr << "Error: --config: " << why << "\n";
        return 2;
      }
      spdlog::warn("{}", why);
    }
    std::vector<std::string> warnings;
    if (Status s = manifests::LoadKubeletConfig(*f.config, &file, &warnings); !s.ok()) {
      std::cerr << "Error: --config: " << s.message() << "\n";
      return 1;
    }
    for (const auto& w : warnings) spdlog::warn("{}", w);
    have_file = true;
  }
  // Settings that would change what kubelet enforces must not be dropped silently (security-related first).
  for (const auto& w : IgnoredSettingsWarnings(file.ignored_fields, f.ignored_flags)) spdlog::warn("{}", w);
  DaemonConfig config;
  if (Status s = ResolveDaemonConfig(f, have_file ? &file : nullptr, &config); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  return RunDaemon(config);
}

}  // namespace crilet::cli
