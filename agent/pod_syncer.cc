// PodSyncer: kubelet's SyncPod (kill, sandbox, init containers, containers) and pod termination.
#include "agent/pod_syncer.h"

#include "agent/atomic_writer.h"
#include "agent/volume_projection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "agent/claim_volumes.h"
#include "agent/container_killer.h"
#include "agent/container_starter.h"
#include "agent/plan.h"
#include "agent/pod_cgroup_manager.h"
#include "agent/sandbox_config.h"
#include "common/logging.h"

namespace crilet::agent {
namespace {

// How soon a failed start or a runtime error is retried (kubelet's pod worker backs off 10s).
Duration ErrorRetry(const AgentOptions& o) { return std::min<Duration>(o.crash_backoff_initial, std::chrono::seconds(10)); }

void Earliest(std::optional<TimePoint>* at, TimePoint t) {
  if (!*at || t < **at) *at = t;
}

}  // namespace

PodSyncer::PodSyncer(const Services* env, StatusStore* store, manifests::Pod pod)
    : env_(env),
      store_(store),
      pod_(std::move(pod)),
      files_(env->options.root_dir, pod_.metadata.uid),
      crash_backoff_(env->options.crash_backoff_initial, env->options.crash_backoff_max),
      image_backoff_(env->options.image_backoff_initial, env->options.image_backoff_max) {
  env_->events->SetPodName(pod_.metadata.uid, pod_.metadata.namespace_ + "/" + pod_.metadata.name);
  PodCheckpoint cp;
  if (Status s = LoadCheckpoint(files_.dir() + "/checkpoint.json", &cp); !s.ok()) {
    spdlog::warn("{}/{}: ignoring checkpoint: {}", pod_.metadata.namespace_, pod_.metadata.name, s.message());
  }
  start_time_ = cp.start_time;
  for (const auto& [key, e] : cp.crash_backoff) crash_backoff_.Restore(key, e);
  // After a crilet restart the conditions carry on with their lastTransitionTime, and a pod whose start was
  // measured is not measured again.
  conditions_ = cp.conditions;
  for (const auto& [type, c] : cp.conditions) {
    restored_.conditions.push_back(PodCondition{type, c.status, "", "", c.last_transition_time});
  }
  start_recorded_ = cp.start_observed;
  probe_results_ = cp.probe_results;
}

void PodSyncer::MarkTerminating() {
  int64_t grace = pod_.spec.termination_grace_period_seconds.value_or(30);
  store_->MarkTerminating(pod_.metadata.uid, env_->clock->Now() + std::chrono::seconds(grace), grace);
}

void PodSyncer::SetPod(manifests::Pod pod) { pod_ = std::move(pod); }

void PodSyncer::ExpectExit(const std::string& container_id) { expected_exits_[container_id] = env_->clock->Now(); }

void PodSyncer::WatchExits(const ObservedPod& obs) {
  if (!env_->exit_watcher) return;
  for (const auto& c : obs.containers) {
    if (c.state != cri::ContainerState::kRunning || unwatchable_.count(c.id) || env_->exit_watcher->Watching(c.id)) {
      continue;
    }
    cri::ContainerStatus st;
    bool watched = env_->runtime->ContainerStatus(c.id, true, &st).ok() && st.state == cri::ContainerState::kRunning &&
                   env_->exit_watcher->Watch(pod_.metadata.uid, c.id, static_cast<pid_t>(st.pid), st.started_at);
    if (!watched) unwatchable_.insert(c.id);  // the relist still notices its exit
  }
}

void PodSyncer::SaveCheckpoint() {
  PodCheckpoint cp;
  cp.start_time = start_time_;
  cp.crash_backoff = crash_backoff_.entries();
  cp.conditions = conditions_;
  cp.start_observed = start_recorded_;
  cp.probe_results = probe_results_;
  if (Status s = agent::SaveCheckpoint(files_.dir() + "/checkpoint.json", cp); !s.ok()) {
    spdlog::warn("{}/{}: {}", pod_.metadata.namespace_, pod_.metadata.name, s.message());
  }
}

std::string PodSyncer::PodIp(const ObservedPod& obs) const {
  if (pod_.spec.host_network) return env_->options.node_ip;
  if (obs.sandboxes.empty() || obs.sandboxes.front().state != cri::SandboxState::kReady) return "";
  return obs.sandboxes.front().ip;
}

std::optional<TimePoint> PodSyncer::Sync(const std::atomic<bool>* cancel) {
  const std::string& uid = pod_.metadata.uid;
  TimePoint now = env_->clock->Now();
  if (!start_time_) {
    start_time_ = now;
    SaveCheckpoint();
  }

  auto t0 = std::chrono::steady_clock::now();
  auto trace = [&](const char* step) {
    // Per-sync detail, as kubelet's syncPod enter/exit lines: only at -v 4 and above.
    if (!V(4)) return;
    spdlog::debug("{}/{}: sync {} at +{:.1f}ms", pod_.metadata.namespace_, pod_.metadata.name, step,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  };
  ObservedPod obs;
  if (Status s = env_->reader->GetPod(uid, &obs); !s.ok()) {
    if (!runtime_error_logged_) {
      spdlog::error("{}/{}: cannot read pod state: {}", pod_.metadata.namespace_, pod_.metadata.name, s.message());
      runtime_error_logged_ = true;
    }
    // A pod the runtime cannot be asked about yet is still listed, Pending, as kubelet lists it.
    if (!last_status_) Publish(ObservedPod{});
    return now + std::chrono::seconds(1);
  }
  runtime_error_logged_ = false;
  // kubelet's syncPod: the pod's cgroup exists (with the QoS tiers updated) before anything of it starts; a
  // pod adopted after a restart is counted in the burstable tier's shares again.
  if (env_->cgroups) env_->cgroups->EnsurePod(pod_);
  if (!observed_once_) {
    observed_once_ = true;
    // Containers from before a crilet restart have their claims mounted: ReadWriteOncePod must count them.
    if (env_->claims && !obs.containers.empty()) env_->claims->Adopt(pod_, uid);
    // Every container already running when this syncer first looks: an earlier crilet started the pod (it
    // is being adopted). Its start was measured then, or not at all; measuring now would count crilet's
    // downtime (and land in +Inf).
    bool all_running = !pod_.spec.containers.empty();
    for (const auto& c : pod_.spec.containers) {
      const ObservedContainer* latest = obs.Latest(c.name);
      if (!latest || latest->state != cri::ContainerState::kRunning) all_running = false;
    }
    if (all_running && !start_recorded_) {
      start_recorded_ = true;
      SaveCheckpoint();
    }
  }
  // An exit the runtime has not recorded yet: look again shortly (containerd learns it from the shim).
  std::optional<TimePoint> exit_recheck;
  for (auto it = expected_exits_.begin(); it != expected_exits_.end();) {
    const ObservedContainer* c = nullptr;
    for (const auto& x : obs.containers) {
      if (x.id == it->first) c = &x;
    }
    if (c && c->state == cri::ContainerState::kRunning && now - it->second < std::chrono::seconds(2)) {
      // containerd records an exit ~100-150 ms after the process ends: look after 10 ms, then less often.
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second);
      exit_recheck = now + std::clamp(waited / 2, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
      ++it;
    } else {
      it = expected_exits_.erase(it);
    }
  }
  probes::PodResults results = env_->prober ? env_->prober->Results(uid) : probes::PodResults{};
  PodActions plan = ComputePodActions(PlanInput{&pod_, &obs, &results, &crash_backoff_, now, start_time_});
  trace("planned");
  bool acting = plan.kill_pod || plan.create_sandbox || !plan.containers_to_kill.empty() ||
                !plan.init_containers_to_start.empty() || !plan.containers_to_start.empty();
  // Like kubelet, report what was observed (an exit, a dead sandbox) before acting on it: a restart can take
  // seconds on a busy runtime, and the status should not lag behind by that much.
  if (acting && last_status_) Publish(obs);

  std::optional<TimePoint> requeue;
  bool changed = false;
  std::string pod_ip = PodIp(obs);

  if (plan.deadline_exceeded && !deadline_exceeded_) {
    deadline_exceeded_ = true;
    env_->events->Record(uid, "Warning", "DeadlineExceeded",
                         "Pod was active on the node longer than the specified deadline", "");
  }
  if (plan.kill_pod) {
    bool anything_up = std::any_of(obs.containers.begin(), obs.containers.end(),
                                   [](const ObservedContainer& c) { return c.state == cri::ContainerState::kRunning; }) ||
                       std::any_of(obs.sandboxes.begin(), obs.sandboxes.end(),
                                   [](const ObservedSandbox& s) { return s.state == cri::SandboxState::kReady; });
    if (plan.create_sandbox && !obs.sandboxes.empty()) {
      env_->events->Record(uid, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", "");
    }
    if (anything_up) {
      if (Status s = KillPod(*env_, pod_, obs, std::nullopt, pod_ip, cancel); !s.ok()) {
        spdlog::error("{}/{}: killing pod: {}", pod_.metadata.namespace_, pod_.metadata.name, s.message());
        Earliest(&requeue, now + ErrorRetry(env_->options));
      }
      changed = true;
    }
  } else {
    for (const auto& k : plan.containers_to_kill) {
      const manifests::Container& spec = SpecContainer(pod_, k.ref);
      KillRequest req;
      req.pod = &pod_;
      req.spec = &spec;
      req.container_id = k.container_id;
      req.name = spec.name;
      req.field_path = FieldPath(pod_, spec.name);
      req.message = k.message;
      req.reason = k.reason;
      req.pod_ip = pod_ip;
      if (Status s = KillContainer(*env_, req, nullptr, cancel); !s.ok()) {
        spdlog::error("{}/{}: killing container {}: {}", pod_.metadata.namespace_, pod_.metadata.name, spec.name, s.message());
      } else if (k.reason == KillReason::kDuplicate) {
        // Never the pod's last state: nothing the user asked for ran in it.
        env_->runtime->RemoveContainer(k.container_id);
      }
      changed = true;
    }
  }

  std::map<std::string, std::string> volume_paths;
  std::string sandbox_id = plan.sandbox_id;
  cri::SandboxConfig sandbox_config;
  // The pod's removal began (or crilet stops) after this plan was made: kubelet never starts a container of
  // a terminating pod, so nothing more is started; the worker goes on to kill the pod.
  auto cancelled = [&] { return cancel && cancel->load(); };
  bool have_starts = plan.create_sandbox || !plan.init_containers_to_start.empty() || !plan.containers_to_start.empty();
  if (cancelled()) have_starts = false;
  if (have_starts) {
    Status claimed = env_->claims ? env_->claims->Mount(pod_, uid, &volume_paths) : Status::Ok();
    if (Status s = claimed.ok() ? files_.PrepareVolumes(pod_, &volume_paths) : claimed; !s.ok()) {
      env_->events->Record(uid, "Warning", "FailedMount", "MountVolume.SetUp failed: " + s.message(), "");
      Publish(obs);
      return now + ErrorRetry(env_->options);
    }
    if (Status s = ProjectObjectVolumes(now, &volume_paths); !s.ok()) {
      // kubelet: `MountVolume.SetUp failed for volume "cfg" : configmap "app" not found`. A pod whose volumes
      // were never written waits; one that had them (its object went away) keeps the old files and starts.
      bool written = ObjectVolumesWritten(&volume_paths);
      if (!written || s.message() != last_volume_error_) {
        env_->events->Record(uid, "Warning", "FailedMount", "MountVolume.SetUp failed " + s.message(), "");
      }
      last_volume_error_ = s.message();
      if (!written) {
        Publish(obs);
        return now + ErrorRetry(env_->options);
      }
      Earliest(&requeue, now + ErrorRetry(env_->options));
    } else {
      last_volume_error_.clear();
    }
    // Kubelet reads resolvConf for every sandbox config and fails the sync while it cannot: the pod starts once
    // the file is back (the retry below), and a running pod is not disturbed.
    cri::DnsConfig host_dns;
    if (Status s = ReadHostDns(env_->options.resolv_conf, &host_dns); !s.ok()) {
      if (plan.create_sandbox) {
        env_->events->Record(uid, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + s.message(), "");
      } else {
        spdlog::error("{}/{}: GeneratePodSandboxConfig failed: {}", pod_.metadata.namespace_, pod_.metadata.name,
                      s.message());
      }
      Publish(obs);
      return now + ErrorRetry(env_->options);
    }
    DnsDecision dns = ComputeDns(pod_, env_->options, host_dns);
    if (dns.missing_cluster_dns && !warned_missing_dns_) {
      warned_missing_dns_ = true;
      env_->events->Record(uid, "Warning", "MissingClusterDNS",
                           "pod: \"" + pod_.FullName() + "(" + uid +
                               ")\". crilet does not have ClusterDNS IP configured and cannot create Pod using \"" +
                               pod_.spec.dns_policy + "\" policy. Falling back to \"Default\" policy.",
                           "");
    }
    sandbox_config = BuildSandboxConfig(pod_, plan.attempt, env_->options, dns.config);
    // containerd places the sandbox and, from this same config, every container under the pod's cgroup.
    if (env_->cgroups) sandbox_config.cgroup_parent = env_->cgroups->CgroupParent(pod_);
  }
  if (!have_starts && !plan.kill_pod && !plan.create_sandbox && !plan.sandbox_id.empty() && !cancelled() &&
      HasObjectVolumes(pod_)) {
    // A running pod's volumes follow their objects and its labels and annotations (kubelet's remount on every
    // sync). On failure the files stay as they were and the pod runs on; the event is recorded once per text.
    std::map<std::string, std::string> paths;
    if (Status s = ProjectObjectVolumes(now, &paths); !s.ok()) {
      if (s.message() != last_volume_error_) {
        env_->events->Record(uid, "Warning", "FailedMount", "MountVolume.SetUp failed " + s.message(), "");
      }
      last_volume_error_ = s.message();
      Earliest(&requeue, now + ErrorRetry(env_->options));
    } else {
      last_volume_error_.clear();
    }
  }
  if (plan.create_sandbox && have_starts && !cancelled()) {
    if (plan.purge_init_containers) {
      for (const auto& c : obs.containers) {
        for (const auto& ic : pod_.spec.init_containers) {
          if (ic.name == c.name) env_->runtime->RemoveContainer(c.id);
        }
      }
    }
    std::error_code ec;
    std::filesystem::create_directories(sandbox_config.log_directory, ec);
    trace("run sandbox");
    Status s = env_->runtime->RunPodSandbox(sandbox_config, &sandbox_id);
    trace("sandbox ran");
    if (!s.ok()) {
      env_->events->Record(uid, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + s.message(), "");
      Publish(obs);
      return now + ErrorRetry(env_->options);
    }
    changed = true;
    cri::SandboxStatus st;
    if (env_->runtime->PodSandboxStatus(sandbox_id, &st).ok() && !pod_.spec.host_network) pod_ip = st.ip;
  }
  if (have_starts) {
    std::error_code ec;
    if (plan.create_sandbox || !std::filesystem::exists(files_.EtcHostsPath(), ec)) {
      files_.WriteEtcHosts(EtcHostsContent(pod_, pod_ip, env_->node_hosts, env_->options.cluster_domain));
    }
  }

  auto start = [&](const ContainerStart& cs) {
    const manifests::Container& c = SpecContainer(pod_, cs.ref);
    if (cancelled()) return false;
    if (cs.last_exit) {
      crash_backoff_.Next(CrashBackoffKey(pod_, c), *cs.last_exit, now);
      SaveCheckpoint();
    }
    StartRequest req{&pod_, cs.ref, &obs, sandbox_id, &sandbox_config, pod_ip, &volume_paths, &files_, &image_backoff_};
    std::string id;
    StartFailure failure;
    changed = true;
    if (StartContainer(*env_, req, &id, &failure, cancel)) {
      start_failures_.erase(c.name);
      return true;
    }
    start_failures_[c.name] = failure;
    if (failure.reason == "ImagePullBackOff" || failure.reason == "ErrImagePull") {
      const auto& entries = image_backoff_.entries();
      auto e = entries.find(pod_.metadata.uid + "_" + c.image);
      TimePoint until = e == entries.end() ? now : e->second.last_update + e->second.backoff;
      // After a failed pull, look again in a second so the status moves on to ImagePullBackOff while the
      // backoff runs (what kubelet users see), then retry the pull when the backoff ends.
      if (failure.reason == "ErrImagePull") until = std::min(until, now + std::chrono::seconds(1));
      Earliest(&requeue, std::max(until, now + std::chrono::milliseconds(100)));
    } else {
      Earliest(&requeue, now + ErrorRetry(env_->options));
    }
    return false;
  };
  trace("starting containers");
  for (const auto& cs : plan.init_containers_to_start) {
    // A regular init container that fails to start stops initialization; a sidecar does not.
    if (!start(cs) && !manifests::IsSidecar(SpecContainer(pod_, cs.ref))) break;
  }
  for (const auto& cs : plan.containers_to_start) start(cs);
  for (const auto& w : plan.backoff_waits) {
    const manifests::Container& c = SpecContainer(pod_, w.ref);
    start_failures_[c.name] = StartFailure{"CrashLoopBackOff", w.message};
    env_->events->Record(uid, "Warning", "BackOff",
                         "Back-off restarting failed container " + c.name + " in pod " + pod_.FullName() + "(" + uid + ")",
                         FieldPath(pod_, c.name));
    Earliest(&requeue, w.until);
  }
  if (pod_.spec.active_deadline_seconds && !deadline_exceeded_) {
    Earliest(&requeue, *start_time_ + std::chrono::seconds(*pod_.spec.active_deadline_seconds));
  }

  trace("started");
  if (changed) {
    ObservedPod fresh;
    if (env_->reader->GetPod(uid, &fresh).ok()) obs = std::move(fresh);
  }
  RemoveDeadInstances(obs);
  Publish(obs);
  WatchExits(obs);
  trace("published");
  if (exit_recheck) Earliest(&requeue, *exit_recheck);
  return requeue;
}

bool PodSyncer::ObjectVolumesWritten(std::map<std::string, std::string>* paths) const {
  for (const auto& v : pod_.spec.volumes) {
    if (!v.object) continue;
    std::string p = files_.ObjectVolumePath(v);
    if (CurrentVersionDir(p).empty()) return false;
    (*paths)[v.name] = p;
  }
  return true;
}

Status PodSyncer::ProjectObjectVolumes(TimePoint now, std::map<std::string, std::string>* paths) {
  if (!HasObjectVolumes(pod_)) return Status::Ok();
  ContainerContext ctx;
  ctx.node_cpu_milli = env_->node_cpu_milli;
  ctx.node_memory_bytes = env_->node_memory_bytes;
  ctx.node_allocatable_memory_bytes = env_->node_allocatable_memory_bytes;
  const manifests::LocalObjects current = env_->objects ? env_->objects() : manifests::LocalObjects{};
  std::vector<std::string> ignored;
  manifests::LocalObjects objects =
      PinImmutable(current, pod_.metadata.namespace_, ReferencedObjects(pod_), &pinned_, &ignored);
  for (const auto& ref : ignored) {
    if (!warned_immutable_.insert(ref).second) continue;
    spdlog::warn("{}/{}: {} is immutable: its volumes keep the data they have; the change reaches new pods only",
                 pod_.metadata.namespace_, pod_.metadata.name, ref);
  }
  return files_.PrepareObjectVolumes(pod_, objects, ctx, VersionStamp(now), &written_volumes_, paths);
}

std::map<std::string, std::string> PodSyncer::TerminationMessages(const ObservedPod& obs) {
  std::map<std::string, std::string> out;
  for (const auto& c : obs.containers) {
    if (c.state != cri::ContainerState::kExited) continue;
    auto cached = messages_.find(c.id);
    if (cached == messages_.end()) cached = messages_.emplace(c.id, TerminationMessage(c)).first;
    out[c.id] = cached->second;
  }
  // Forget messages of instances the runtime no longer has.
  for (auto it = messages_.begin(); it != messages_.end();) it = out.count(it->first) ? std::next(it) : messages_.erase(it);
  return out;
}

void PodSyncer::Publish(const ObservedPod& obs) {
  probes::PodResults results = env_->prober ? env_->prober->Results(pod_.metadata.uid) : probes::PodResults{};
  // An instance the prober has no worker for yet (the first publish after a crilet restart) shows the
  // results it had before, which its workers then start from.
  for (const auto& [id, r] : probe_results_) results.emplace(id, r);
  std::map<std::string, std::string> messages = TerminationMessages(obs);
  StatusInput in;
  in.pod = &pod_;
  in.observed = &obs;
  in.probes = &results;
  in.start_failures = &start_failures_;
  in.termination_messages = &messages;
  in.previous = last_status_ ? &*last_status_ : &restored_;
  in.host_ip = env_->options.node_ip;
  in.start_time = start_time_;
  in.now = env_->clock->Now();
  in.deadline_exceeded = deadline_exceeded_;
  PodStatus status = GeneratePodStatus(in);
  if (env_->prober) {
    std::vector<probes::ProbeTarget> targets;
    for (const auto& c : obs.containers) {
      probes::ProbeTarget t{c.id, c.name, c.state == cri::ContainerState::kRunning, c.started_at, {}};
      if (auto r = probe_results_.find(c.id); r != probe_results_.end()) t.restored = r->second;
      targets.push_back(std::move(t));
    }
    env_->prober->UpdatePod(pod_, status.pod_ip, targets);
  }
  // Checkpoint what a restarted crilet's probe workers should start from.
  probes::PodResults kept;
  for (const auto& c : obs.containers) {
    if (c.state != cri::ContainerState::kRunning) continue;
    auto it = results.find(c.id);
    if (it == results.end()) continue;
    probes::ContainerResults r{std::nullopt, it->second.readiness, it->second.startup};
    if (r.readiness || r.startup) kept[c.id] = r;
  }
  if (kept != probe_results_) {
    probe_results_ = std::move(kept);
    SaveCheckpoint();
  }
  if (!start_recorded_ && env_->metrics && start_time_ && !status.container_statuses.empty() &&
      std::all_of(status.container_statuses.begin(), status.container_statuses.end(),
                  [](const ContainerStatus& c) { return c.state.running.has_value(); })) {
    // Kubelet's pod_start_duration_seconds: from first seeing the pod to all its containers running.
    start_recorded_ = true;
    env_->metrics->Observe("crilet_pod_start_duration_seconds", {},
                           std::chrono::duration<double>(in.now - *start_time_).count());
    SaveCheckpoint();
  }
  std::map<std::string, ConditionTime> conditions;
  for (const auto& c : status.conditions) conditions[c.type] = ConditionTime{c.status, c.last_transition_time};
  if (conditions != conditions_) {
    conditions_ = std::move(conditions);
    SaveCheckpoint();
  }
  store_->Set(pod_, status);
  last_status_ = std::move(status);
}

void PodSyncer::RemoveDeadInstances(const ObservedPod& obs) {
  // Kubelet's container GC keeps one dead instance per container (for `logs --previous`).
  std::map<std::string, int> dead_seen;
  for (const auto& c : obs.containers) {
    if (c.state == cri::ContainerState::kCreated && obs.Latest(c.name) != &c) {
      // Created but never started, and a newer instance exists: a failed start, or crilet killed between
      // CreateContainer and StartContainer. Nothing ever ran in it; it would otherwise stay forever.
      env_->runtime->RemoveContainer(c.id);
      continue;
    }
    if (c.state != cri::ContainerState::kExited) continue;
    if (++dead_seen[c.name] > 1) {
      // Kubelet removes a dead container's log file with it; crash loops would otherwise pile up files.
      std::error_code ec;
      if (!c.log_path.empty()) std::filesystem::remove(c.log_path, ec);
      env_->runtime->RemoveContainer(c.id);
    }
  }
  // And removes sandboxes that are not ready and hold no containers, except the newest.
  for (size_t i = 1; i < obs.sandboxes.size(); ++i) {
    const auto& sb = obs.sandboxes[i];
    if (sb.state == cri::SandboxState::kReady) continue;
    bool used = std::any_of(obs.containers.begin(), obs.containers.end(),
                            [&](const ObservedContainer& c) { return c.sandbox_id == sb.id; });
    if (!used) env_->runtime->RemovePodSandbox(sb.id);
  }
}

Status PodSyncer::Terminate(const std::atomic<bool>* cancel) {
  const std::string& uid = pod_.metadata.uid;
  ObservedPod obs;
  if (Status s = env_->reader->GetPod(uid, &obs); !s.ok()) return s;
  if (env_->prober) env_->prober->RemovePod(uid);
  if (Status s = KillPod(*env_, pod_, obs, std::nullopt, PodIp(obs), cancel); !s.ok()) return s;
  for (const auto& c : obs.containers) {
    if (env_->exit_watcher) env_->exit_watcher->Forget(c.id);
    Status s = env_->runtime->RemoveContainer(c.id);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  for (const auto& sb : obs.sandboxes) {
    Status s = env_->runtime->RemovePodSandbox(sb.id);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  // After the sandbox is gone, as kubelet's pod cgroup cleanup: a cgroup still busy is retried in the background
  // (the relist) rather than holding up the pod's removal.
  if (env_->cgroups) {
    if (Status s = env_->cgroups->RemovePod(uid); !s.ok()) {
      spdlog::warn("{}/{}: {}; retrying in the background", pod_.metadata.namespace_, pod_.metadata.name, s.message());
    }
  }
  if (Status s = files_.Remove(); !s.ok()) return s;
  if (env_->claims) env_->claims->Release(uid);
  std::error_code ec;
  std::filesystem::remove_all(PodLogDirectory(env_->options, pod_), ec);
  store_->Remove(uid);
  env_->events->Forget(uid);
  return Status::Ok();
}

}  // namespace crilet::agent
