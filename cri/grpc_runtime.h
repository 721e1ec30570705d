/// GrpcRuntime: cri::Runtime over containerd's CRI gRPC endpoint (unix socket), with per-call deadlines.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cri/runtime.h"

namespace crilet::cri {

struct GrpcRuntimeOptions {
  // "unix:///run/containerd/containerd.sock" (kubelet's form) or a bare socket path.
  std::string endpoint = "unix:///run/containerd/containerd.sock";
  // Deadline of an ordinary call; kubelet's runtimeRequestTimeout defaults to 2m.
  std::chrono::milliseconds request_timeout = std::chrono::minutes(2);
  // Version is the liveness check of the runtime, so it must fail fast.
  std::chrono::milliseconds version_timeout = std::chrono::seconds(5);
  // Image pulls can legitimately take long.
  std::chrono::milliseconds pull_timeout = std::chrono::minutes(30);
};

// Returns the channel target gRPC understands for a kubelet-style endpoint, or "" with *error set.
std::string EndpointToTarget(const std::string& endpoint, std::string* error);

// The deadline of an ExecSync call with the command's `timeout` (0: none): the runtime ends the command at
// its timeout, and our deadline leaves it request_timeout more, as kubelet's ExecSync does (timeout +
// runtimeRequestTimeout). The runtime may take long to answer: containerd 1.6 answers a timed-out command
// only once its output is drained (a 100 MiB print takes it ~20 s), and giving up sooner would start the
// next run while the last one still runs in the runtime.
std::chrono::milliseconds ExecDeadline(std::chrono::seconds timeout, std::chrono::milliseconds request_timeout);

class GrpcRuntime : public Runtime {
 public:
  // Does not connect: the first call does, so a runtime that is down is reported by that call.
  explicit GrpcRuntime(GrpcRuntimeOptions options);
  ~GrpcRuntime() override;
  GrpcRuntime(const GrpcRuntime&) = delete;
  GrpcRuntime& operator=(const GrpcRuntime&) = delete;

  const std::string& endpoint() const { return options_.endpoint; }

  Status Version(VersionInfo* out) override;
  Status RunPodSandbox(const SandboxConfig& config, std::string* sandbox_id) override;
  Status StopPodSandbox(const std::string& sandbox_id) override;
  Status RemovePodSandbox(const std::string& sandbox_id) override;
  Status PodSandboxStatus(const std::string& sandbox_id, SandboxStatus* out) override;
  Status ListPodSandbox(const SandboxFilter& filter, std::vector<Sandbox>* out) override;
  Status CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                         const SandboxConfig& sandbox_config, std::string* container_id) override;
  Status StartContainer(const std::string& container_id) override;
  Status StopContainer(const std::string& container_id, int64_t timeout_seconds) override;
  Status RemoveContainer(const std::string& container_id) override;
  Status ListContainers(const ContainerFilter& filter, std::vector<Container>* out) override;
  Status ContainerStatus(const std::string& container_id, bool verbose, cri::ContainerStatus* out) override;
  Status RuntimeStatus(bool verbose, RuntimeStatusInfo* out) override;
  Status ListContainerStats(const ContainerStatsFilter& filter, std::vector<ContainerStats>* out) override;
  Status ListPodSandboxStats(const PodSandboxStatsFilter& filter, std::vector<PodSandboxStats>* out) override;
  Status ReopenContainerLog(const std::string& container_id) override;
  Status ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                  std::chrono::seconds timeout, ExecResult* out) override;
  std::unique_ptr<ExecCall> StartExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                                          std::chrono::seconds timeout, Status* error) override;
  Status Exec(const StreamExec& request, std::string* url) override;
  Status Attach(const StreamAttach& request, std::string* url) override;
  Status PortForward(const std::string& sandbox_id, const std::vector<int32_t>& ports, std::string* url) override;
  Status ListImages(std::vector<Image>* out) override;
  Status ImageStatus(const std::string& image, std::optional<Image>* out) override;
  Status PullImage(const std::string& image, const AuthConfig* auth, const SandboxConfig* sandbox_config,
                   std::string* image_ref) override;
  Status RemoveImage(const std::string& image) override;
  Status ImageFsInfo(std::vector<FilesystemUsage>* out) override;

 private:
  struct Stubs;
  GrpcRuntimeOptions options_;
  std::string target_error_;  // set when the endpoint cannot be used at all
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace crilet::cri
