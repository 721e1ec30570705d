// The status server's routes over a fresh read of the manifest directory, the runtime and the agent's checkpoints.
#include "cli/local_status.h"

#include <filesystem>
#include <set>

#include "agent/checkpoint.h"
#include "agent/claim_binding.h"
#include "agent/labels.h"
#include "agent/pod_files.h"
#include "agent/runtime_state.h"
#include "agent/status_store.h"
#include "cli/configz.h"
#include "cli/local_pod_record.h"
#include "cli/node_identity.h"
#include "cli/node_info.h"
#include "cli/status_client.h"
#include "cri/grpc_runtime.h"
#include "manifests/dir_source.h"
#include "manifests/kubelet_config.h"
#include "manifests/pod_config.h"
#include "server/object_lists.h"
#include "server/status_routes.h"

namespace crilet::cli {
namespace {

// "/pods/a/b?events=1&x" -> path and query, as the server's adapter splits them.
server::HttpRequest ParseTarget(const std::string& target) {
  server::HttpRequest req;
  req.method = "GET";
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q == std::string::npos) return req;
  std::string rest = target.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t amp = rest.find('&', start);
    std::string item = rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!item.empty()) {
      size_t eq = item.find('=');
      req.query.emplace(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return req;
}

// The manifests as the agent's directory source reads them (same names, checks and static UIDs).
struct ManifestRead {
  std::vector<manifests::Pod> pods;
  manifests::LocalObjects objects;
  std::vector<std::string> problems;
};

ManifestRead ReadManifests(const DaemonConfig& c, const std::string& node_name, const Clock& clock) {
  ManifestRead out;
  if (c.manifest_path.empty()) return out;
  manifests::DirSource::Options o;
  o.path = c.manifest_path;
  o.node_name = node_name;
  o.check_ownership = !c.allow_insecure_manifest_dir;
  std::map<std::string, manifests::FileState> files;
  manifests::DirSource source(o, [&files](const std::map<std::string, manifests::FileState>& f) { files = f; });
  source.ScanOnce(true);
  std::map<std::string, std::string> seen;
  std::vector<manifests::FieldError> problems;
  out.pods = manifests::MergeSources(files, nullptr, "", &seen, clock, &problems);
  out.objects = manifests::MergeObjects(files, nullptr, "", &problems);
  for (const auto& p : problems) out.problems.push_back(p.ToString());
  return out;
}

std::map<std::string, std::string> TerminationMessages(const agent::ObservedPod& obs) {
  std::map<std::string, std::string> out;
  for (const auto& c : obs.containers) {
    if (c.state == cri::ContainerState::kExited) out[c.id] = agent::TerminationMessage(c);
  }
  return out;
}

}  // namespace

LocalStatusSource::LocalStatusSource(DaemonConfig config, std::string origin, std::unique_ptr<cri::Runtime> runtime,
                                     const Clock* clock)
    : config_(std::move(config)), origin_(std::move(origin)), runtime_(std::move(runtime)), clock_(clock) {
  if (!NodeName(config_.node_name, DefaultNodeName(), &node_name_).ok()) node_name_ = DefaultNodeName();
  if (!ParseNodeIp(config_.node_ip, &node_ip_).ok() || node_ip_.empty()) node_ip_ = DefaultNodeIp();
  std::error_code ec;
  std::string root = std::filesystem::absolute(config_.root_dir, ec).string();
  if (!ec) config_.root_dir = root;
}

LocalStatusSource::~LocalStatusSource() = default;

std::string LocalStatusSource::Name() const {
  return "crilet's runtime at " + config_.runtime_endpoint + " (read directly, as " + origin_ + " sets readOnlyPort: 0)";
}

agent::PodRecord LocalStatusSource::Record(const manifests::Pod& pod, const agent::ObservedPod& obs,
                                           const agent::PodCheckpoint* checkpoint, TimePoint now) const {
  std::map<std::string, std::string> messages = TerminationMessages(obs);
  LocalPodInput in;
  in.pod = &pod;
  in.observed = &obs;
  in.checkpoint = checkpoint;
  in.termination_messages = &messages;
  in.host_ip = node_ip_;
  in.crash_backoff_initial = config_.crash_backoff_initial;
  in.crash_backoff_max = config_.crash_backoff_max;
  in.now = now;
  return LocalPodRecord(in);
}

void LocalStatusSource::FillStore(const std::vector<cri::Sandbox>& sandboxes, const std::vector<manifests::Pod>& pods,
                                  const InstanceIdentity& instance, bool runtime_up, agent::StatusStore* store) const {
  const TimePoint now = clock_->Now();
  agent::RuntimeStateReader reader(runtime_.get(), instance.root_dir);
  std::set<std::string> desired;
  for (const auto& pod : pods) {
    desired.insert(pod.metadata.uid);
    agent::ObservedPod obs;
    obs.uid = pod.metadata.uid;
    if (runtime_up) (void)reader.GetPod(pod.metadata.uid, &obs);
    agent::PodCheckpoint cp;
    (void)agent::LoadCheckpoint(instance.root_dir + "/pods/" + pod.metadata.uid + "/checkpoint.json", &cp);
    agent::PodRecord r = Record(pod, obs, &cp, now);
    store->Set(r.pod, r.status);
  }
  // Pods whose manifest is gone and whose sandbox still runs are being stopped by the agent: Terminating.
  std::set<std::string> departing;
  for (const auto& sb : sandboxes) {
    const std::string& uid = sb.metadata.uid;
    if (sb.state != cri::SandboxState::kReady || desired.count(uid) || departing.count(uid) ||
        agent::SandboxOwnership(sb.labels, instance.root_dir) != agent::Ownership::kOurs) {
      continue;
    }
    departing.insert(uid);
    agent::ObservedPod obs;
    obs.uid = uid;
    (void)reader.GetPod(uid, &obs);
    agent::PodRecord r = Record(DepartingPod(sb, obs, instance.node_name), obs, nullptr, now);
    store->Set(r.pod, r.status);
    store->MarkTerminating(uid, now, 0);
  }
}

LocalStatusSource::Answer LocalStatusSource::Serve(const std::string& target) const {
  server::HttpRequest req = ParseTarget(target);
  const bool usage = req.path.rfind("/stats/", 0) == 0 || req.path == "/spec";
  if (req.path == "/events" || req.path == "/metrics" || usage) {
    std::string what = usage ? "resource usage figures" : req.path == "/events" ? "events" : "metrics";
    return {503, "crilet keeps " + what + " in memory and serves them on its read-only port, which " + origin_ +
                     " turns off (readOnlyPort: 0)"};
  }
  std::vector<cri::Sandbox> sandboxes;
  Status runtime_status = runtime_->ListPodSandbox({}, &sandboxes);
  const InstanceIdentity instance = FindInstance(sandboxes, {config_.root_dir, node_name_});
  const std::string& root_dir = instance.root_dir;
  const std::string& node_name = instance.node_name;
  ManifestRead read = ReadManifests(config_, node_name, *clock_);
  agent::StatusStore store(nullptr);
  // Only the pod routes need each pod's runtime state and checkpoint (a CRI call or two per pod).
  if (req.path.rfind("/pods", 0) == 0) FillStore(sandboxes, read.pods, instance, runtime_status.ok(), &store);
  server::StatusServerDeps deps;
  deps.store = &store;
  deps.runtime_healthy = [&runtime_status](std::string* why) {
    if (!runtime_status.ok()) *why = runtime_status.message();
    return runtime_status.ok();
  };
  deps.problems = [&read] { return read.problems; };
  deps.config_problems = [this] { return ConfigFileProblems(config_, OpenError); };
  deps.config = ConfigzJson(config_, node_name, node_ip_);
  deps.config["rootDirectory"] = root_dir;
  deps.node_name = node_name;
  deps.objects = [&read, this](const std::string& kind) {
    if (kind == "configmaps") return server::ConfigMapListJson(read.objects);
    if (kind == "secrets") return server::SecretListJson(read.objects);
    // Without the agent's recorded PV bindings and mounts: the bindings the claims get now.
    auto bindings = agent::BindClaims(read.objects.claims, read.objects.persistent_volumes, {}, LocalStoragePath(config_));
    return server::ClaimListJson(read.objects, bindings, {});
  };
  server::StatusRoutes routes(std::move(deps));
  server::HttpResponse res = routes.Serve(req);
  return {res.status, std::move(res.body)};
}

Status LocalStatusSource::GetText(const std::string& path, long* code, std::string* body) const {
  Answer a = Serve(path);
  if (a.status == 503) return Status::Unavailable(a.body);
  *code = a.status;
  *body = std::move(a.body);
  return Status::Ok();
}

Status LocalStatusSource::GetJson(const std::string& path, nlohmann::json* out) const {
  long code = 0;
  std::string body;
  if (Status s = GetText(path, &code, &body); !s.ok()) return s;
  return JsonAnswer(code, body, path, Name(), out);
}

Status OpenLocalStatusSource(const std::string& config_file, std::unique_ptr<StatusSource>* out) {
  manifests::KubeletConfigFile file;
  std::vector<std::string> warnings;
  if (Status s = manifests::LoadKubeletConfig(config_file, &file, &warnings); !s.ok()) {
    return Status::InvalidArgument("cannot read the kubelet config " + config_file + ": " + s.message());
  }
  RunFlags flags;
  flags.config = config_file;
  DaemonConfig c;
  if (Status s = ResolveDaemonConfig(flags, &file, &c); !s.ok()) return Status::InvalidArgument(config_file + ": " + s.message());
  cri::GrpcRuntimeOptions ro;
  ro.endpoint = c.runtime_endpoint;
  ro.request_timeout = std::chrono::seconds(10);
  static RealClock clock;
  *out = std::make_unique<LocalStatusSource>(std::move(c), config_file, std::make_unique<cri::GrpcRuntime>(ro), &clock);
  return Status::Ok();
}

}  // namespace crilet::cli
