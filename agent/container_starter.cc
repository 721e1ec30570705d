// Starting one container instance, step by step as kubelet's startContainer.
#include "agent/container_starter.h"

#include <filesystem>

#include "agent/container_config.h"
#include "agent/container_killer.h"
#include "agent/image_puller.h"
#include "agent/sandbox_config.h"

namespace crilet::agent {
namespace fs = std::filesystem;

int32_t RestartCountFromLogDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int32_t best = -1;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    // "<N>.log" or a rotated "<N>.log.<suffix>"
    std::string name = entry.path().filename().string();
    size_t digits = name.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos || digits > 9) continue;
    if (name.compare(digits, 4, ".log") != 0 || (name.size() > digits + 4 && name[digits + 4] != '.')) continue;
    best = std::max(best, static_cast<int32_t>(std::stol(name.substr(0, digits))));
  }
  return best + 1;
}

bool StartContainer(const Services& env, const StartRequest& req, std::string* container_id, StartFailure* failure,
                    const std::atomic<bool>* cancel) {
  const manifests::Pod& pod = *req.pod;
  const manifests::Container& c = SpecContainer(pod, req.ref);
  const std::string& uid = pod.metadata.uid;
  const std::string field = FieldPath(pod, c.name);
  auto fail = [&](const std::string& reason, const std::string& message, const std::string& event_reason) {
    env.events->Record(uid, "Warning", event_reason, "Error: " + message, field);
    *failure = StartFailure{reason, message};
    return false;
  };

  std::string image_ref;
  if (!EnsureImage(env, pod, c, *req.sandbox_config, field, req.image_backoff, &image_ref, failure)) return false;
  // The pod's removal began during the pull: a terminating pod gets no new container (kubelet's rule).
  if (cancel && cancel->load()) {
    *failure = StartFailure{"ContainerCreating", ""};
    return false;
  }

  int32_t restart_count = 0;
  if (const ObservedContainer* last = req.observed->Latest(c.name)) {
    restart_count = last->restart_count + 1;
  } else {
    restart_count = RestartCountFromLogDir(PodLogDirectory(env.options, pod) + "/" + c.name);
  }

  ContainerContext ctx;
  ctx.restart_count = restart_count;
  ctx.pod_ip = req.pod_ip;
  if (!req.pod_ip.empty()) ctx.pod_ips = {req.pod_ip};
  ctx.host_ip = env.options.node_ip;
  ctx.node_cpu_milli = env.node_cpu_milli;
  ctx.node_memory_bytes = env.node_memory_bytes;
  ctx.node_allocatable_memory_bytes = env.node_allocatable_memory_bytes;
  ctx.volume_paths = *req.volume_paths;
  ctx.etc_hosts_path = req.files->EtcHostsPath();
  ctx.seccomp_root = SeccompRoot(env.options);
  // A snapshot of the ConfigMaps and Secrets for this start: env is resolved once per container, as kubelet.
  const manifests::LocalObjects objects = env.objects ? env.objects() : manifests::LocalObjects{};
  ctx.objects = &objects;
  std::vector<std::string> skipped_env;
  ctx.skipped_env = &skipped_env;
  // Kubelet's getImageUser, for verifyRunAsNonRoot: the user the image runs as when runAsUser is not set.
  std::optional<cri::Image> image;
  if (Status s = env.runtime->ImageStatus(c.image, &image); !s.ok()) {
    return fail("CreateContainerConfigError", s.message(), "Failed");
  }
  ImageUser(image, &ctx.image_uid, &ctx.image_username);
  for (const auto& m : c.volume_mounts) {
    if (m.sub_path.empty()) continue;
    auto it = req.volume_paths->find(m.name);
    if (it == req.volume_paths->end()) continue;
    std::string host;
    if (Status s = req.files->PrepareSubPath(it->second, m.sub_path, m.name, &host); !s.ok()) {
      return fail("CreateContainerConfigError", s.message(), "Failed");
    }
  }
  if (!c.termination_message_path.empty()) {
    if (Status s = req.files->CreateTerminationLog(c.name, &ctx.termination_message_path); !s.ok()) {
      return fail("CreateContainerConfigError", s.message(), "Failed");
    }
  }
  cri::ContainerConfig config;
  if (Status s = BuildContainerConfig(pod, c, ctx, &config); !s.ok()) {
    return fail("CreateContainerConfigError", s.message(), "Failed");
  }
  for (const auto& text : skipped_env) env.events->Record(uid, "Warning", "InvalidEnvironmentVariableNames", text, "");
  config.user_specified_image = c.image;
  if (!image_ref.empty()) config.image = image_ref;
  std::error_code ec;
  fs::create_directories(PodLogDirectory(env.options, pod) + "/" + c.name, ec);

  std::string id;
  if (Status s = env.runtime->CreateContainer(req.sandbox_id, config, *req.sandbox_config, &id); !s.ok()) {
    return fail("CreateContainerError", s.message(), "Failed");
  }
  env.events->Record(uid, "Normal", "Created", "Created container: " + c.name, field);
  if (Status s = env.runtime->StartContainer(id); !s.ok()) {
    *container_id = id;
    return fail("RunContainerError", s.message(), "Failed");
  }
  env.events->Record(uid, "Normal", "Started", "Started container " + c.name, field);
  *container_id = id;

  if (c.lifecycle && c.lifecycle->post_start) {
    HookTarget target{&pod, &c, id, req.pod_ip};
    Status s = env.hooks->Run(*c.lifecycle->post_start, target, std::chrono::seconds(0), cancel);
    if (!s.ok()) {
      // Kubelet keeps the handler's output out of the event (it may hold secrets) but shows it in the status.
      env.events->Record(uid, "Warning", "FailedPostStartHook", "PostStartHook failed", field);
      KillRequest kill;
      kill.pod = &pod;
      kill.spec = &c;
      kill.container_id = id;
      kill.name = c.name;
      kill.field_path = field;
      kill.message = "FailedPostStartHook";
      kill.pod_ip = req.pod_ip;
      KillContainer(env, kill, nullptr, cancel);
      *failure = StartFailure{"PostStartHookError", s.message()};
      return false;
    }
  }
  return true;
}

}  // namespace crilet::agent
