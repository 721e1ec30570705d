// The daemon's runtime endpoint from its /configz, as a CRI client, and the lookups that need it.
#include "cli/cli_runtime.h"

namespace crilet::cli {

Status RuntimeFromSource(const StatusSource& source, std::unique_ptr<cri::GrpcRuntime>* out, nlohmann::json* config) {
  nlohmann::json j;
  if (Status s = source.GetJson("/configz", &j); !s.ok()) return s;
  cri::GrpcRuntimeOptions o;
  o.endpoint = j["kubeletconfig"].value("containerRuntimeEndpoint", "unix:///run/containerd/containerd.sock");
  o.request_timeout = std::chrono::hours(24);  // ExecSync runs the whole command; its --timeout bounds it
  *out = std::make_unique<cri::GrpcRuntime>(o);
  if (config) *config = j["kubeletconfig"];
  return Status::Ok();
}

Status FindRunningContainer(const StatusSource& source, const std::string& ns, const std::string& pod,
                            const std::string& container, RunningContainer* out) {
  if (Status s = FindContainer(source, ns, pod, container, &out->ref); !s.ok()) return s;
  const ContainerRef& ref = out->ref;
  if (ref.container_id.empty() || !ref.status["state"].contains("running")) {
    return Status::FailedPrecondition("container \"" + ref.name + "\" in pod \"" + ref.pod["metadata"].value("name", pod) +
                                      "\" is not running");
  }
  return RuntimeFromSource(source, &out->runtime);
}

Status ReadySandbox(cri::Runtime* runtime, const nlohmann::json& pod, cri::Sandbox* out) {
  std::vector<cri::Sandbox> sandboxes;
  cri::SandboxFilter filter;
  filter.state = cri::SandboxState::kReady;
  if (Status s = runtime->ListPodSandbox(filter, &sandboxes); !s.ok()) return s;
  const std::string uid = pod["metadata"].value("uid", "");
  for (const auto& sb : sandboxes) {
    if (sb.metadata.uid == uid) {
      *out = sb;
      return Status::Ok();
    }
  }
  return Status::FailedPrecondition("pod " + pod["metadata"].value("name", "") + " has no ready sandbox in the runtime");
}

}  // namespace crilet::cli
