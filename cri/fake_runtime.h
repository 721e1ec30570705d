/// FakeRuntime: an in-memory cri::Runtime for unit tests; records calls, injects errors, simulates exits.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "cri/runtime.h"

namespace crilet::cri {

class FakeRuntime : public Runtime {
 public:
  // *clock must outlive the fake; it stamps created/started/finished times.
  explicit FakeRuntime(const Clock* clock);
  ~FakeRuntime() override;  // waits for the threads of async exec handlers (a test must release held ones)

  // --- test controls ---
  // The next call named `call` ("StartContainer", "PullImage"...) fails with `status`, once per injection.
  void InjectError(const std::string& call, Status status);
  // Every call fails with Unavailable while down, as if containerd were stopped.
  void SetDown(bool down);
  void AddImage(const std::string& image);
  // ListImages' size of the image (default 1000) and whether the runtime pins it.
  void SetImageSize(const std::string& image, uint64_t size);
  void SetImagePinned(const std::string& image, bool pinned);
  // The image filesystem ImageFsInfo reports; default none.
  void SetImageFs(const std::string& mountpoint) { image_fs_ = mountpoint; }
  void SetPullable(const std::string& image, bool pullable);
  // Pulls of `image` succeed only with these credentials (username and password, or the identity token);
  // others fail as containerd reports a registry's 401.
  void RequirePullAuth(const std::string& image, const AuthConfig& accepted);
  // Every PullImage call so far: the image and the auth sent (nullopt: none), in order.
  struct PullRecord {
    std::string image;
    std::optional<AuthConfig> auth;
  };
  std::vector<PullRecord> Pulls() const;
  // The user ImageStatus reports for the image (containerd's Image.uid, else Image.username); default none.
  void SetImageUser(const std::string& image, std::optional<int64_t> uid, const std::string& username);
  // The container's process ends: state EXITED with this exit code and reason (containerd's words).
  void ExitContainer(const std::string& id, int32_t exit_code, const std::string& reason = "");
  // The sandbox dies outside crilet (its pause process killed): state NOTREADY.
  void KillSandbox(const std::string& id);
  void SetSandboxIp(const std::string& ip) { next_ip_ = ip; }
  // Handler for ExecSync; default: exit 0, no output.
  std::function<ExecResult(const std::string& id, const std::vector<std::string>& cmd)> exec_handler;
  // ExecSync runs it on the caller's thread; StartExecSync (the probe loop's path) on a thread of the fake's
  // own, signalling the end on an eventfd, so a handler that blocks (a test's slow command) never blocks the
  // probe loop.

  // What RuntimeStatus answers (its info map only when verbose); default: RuntimeReady and NetworkReady true.
  void SetRuntimeStatus(const RuntimeStatusInfo& status);
  // The counters ListContainerStats reports for a container (id and attributes are filled in from it);
  // default: none set, as for a container without a running task.
  void SetContainerStats(const std::string& id, const ContainerStats& stats);
  // ListPodSandboxStats answers Unimplemented (as containerd before 1.6 did) until the first SetPodSandboxStats;
  // then each sandbox reports what was set for it (id, metadata and its containers' stats filled in, as
  // containerd fills LinuxPodSandboxStats.containers).
  void SetPodSandboxStats(const std::string& sandbox_id, const PodSandboxStats& stats);

  // Calls so far, as "Name" or "Name arg" (container name for CreateContainer, image for pulls).
  std::vector<std::string> Calls() const;
  void ClearCalls();
  size_t CountCalls(const std::string& prefix) const;
  std::vector<Sandbox> Sandboxes() const;
  std::vector<cri::ContainerStatus> Containers() const;
  std::string ContainerIdByName(const std::string& name) const;  // newest with that name, "" if none
  const ContainerConfig* LastConfig(const std::string& container_name) const;
  const SandboxConfig* LastSandboxConfig() const;

  // --- cri::Runtime ---
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
  struct FakeSandbox {
    SandboxConfig config;
    SandboxStatus status;
  };
  struct FakeContainer {
    ContainerConfig config;
    cri::ContainerStatus status;
    std::string sandbox_id;
  };

  Image ImageLocked(const std::string& name) const;  // caller holds mu_
  ContainerStats StatsLocked(const std::string& id) const;  // caller holds mu_; id must exist
  // Records the call and returns the injected or "down" error, if any. Caller holds mu_.
  Status Enter(const std::string& call, const std::string& arg);
  static bool Matches(const Labels& have, const Labels& selector);

  const Clock* clock_;
  std::mutex threads_mu_;
  std::vector<std::thread> exec_threads_;  // async exec handlers, joined on destruction
  mutable std::mutex mu_;  // guards everything below
  std::vector<std::string> calls_;
  std::multimap<std::string, Status> injected_;
  bool down_ = false;
  int next_id_ = 1;
  std::string next_ip_ = "10.88.0.2";
  std::map<std::string, FakeSandbox> sandboxes_;
  std::map<std::string, FakeContainer> containers_;
  std::map<std::string, uint64_t> image_sizes_;
  std::set<std::string> pinned_images_;
  std::string image_fs_;
  std::set<std::string> images_;
  std::set<std::string> pullable_;
  std::map<std::string, AuthConfig> pull_auth_;
  std::vector<PullRecord> pulls_;
  std::map<std::string, std::pair<std::optional<int64_t>, std::string>> image_users_;
  std::map<std::string, ContainerConfig> last_config_;
  std::map<std::string, ContainerStats> stats_;
  bool sandbox_stats_supported_ = false;
  std::map<std::string, PodSandboxStats> sandbox_stats_;
  RuntimeStatusInfo runtime_status_;
  SandboxConfig last_sandbox_config_;
  bool have_sandbox_config_ = false;
};

}  // namespace crilet::cri
