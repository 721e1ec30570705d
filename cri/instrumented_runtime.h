/// InstrumentedRuntime: a cri::Runtime decorator that times every call into crilet's metrics.
#pragma once

#include "common/metrics.h"
#include "cri/runtime.h"

namespace crilet::cri {

// Records crilet_cri_request_duration_seconds{method} and crilet_cri_request_errors_total{method,code}.
// Both pointers must outlive it. Thread-safe like the runtime it wraps.
class InstrumentedRuntime : public Runtime {
 public:
  InstrumentedRuntime(Runtime* inner, Metrics* metrics);

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
  Status ExecSync(const std::string& container_id, const std::vector<std::string>& cmd, std::chrono::seconds timeout,
                  ExecResult* out) override;
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
  template <typename F>
  Status Timed(const char* method, F&& call);

  Runtime* inner_;
  Metrics* metrics_;
};

}  // namespace crilet::cri
