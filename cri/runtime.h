/// cri::Runtime: the container runtime as crilet sees it, one method per CRI call; real and fake implementations.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "cri/types.h"

namespace crilet::cri {

// CRI ExecRequest and AttachRequest: which standard streams the session carries.
struct StreamAttach {
  std::string container_id;
  bool tty = false;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
};
struct StreamExec : StreamAttach {
  std::vector<std::string> cmd;
};

// An ExecSync in flight (Runtime::StartExecSync), for a caller that waits in its own poll loop: poll fd()
// for events(), then Step. Destroying an unfinished call cancels it.
class ExecCall {
 public:
  virtual ~ExecCall() = default;
  virtual int fd() const = 0;
  virtual short events() const = 0;
  virtual std::chrono::steady_clock::time_point deadline() const = 0;
  // Reads what arrived, without blocking: the call's Status once it ended (and *out on success), else nothing.
  virtual std::optional<Status> Step(ExecResult* out) = 0;
  // The answer is already in (read by another call on a shared connection): Step without waiting for fd().
  virtual bool Ready() const { return false; }
  // The deadline passed: the call is cancelled. DeadlineExceeded.
  virtual Status Expire() = 0;
};

// Every method is safe to call from several threads at once. Failures come back as a Status whose
// message names the call and the object ("StopContainer 3f2a...: rpc error: ..."), and whose code is the
// gRPC code, so callers can tell NotFound (already gone) from Unavailable (runtime down).
class Runtime {
 public:
  virtual ~Runtime() = default;

  // RuntimeService
  virtual Status Version(VersionInfo* out) = 0;
  virtual Status RunPodSandbox(const SandboxConfig& config, std::string* sandbox_id) = 0;
  virtual Status StopPodSandbox(const std::string& sandbox_id) = 0;
  virtual Status RemovePodSandbox(const std::string& sandbox_id) = 0;
  virtual Status PodSandboxStatus(const std::string& sandbox_id, SandboxStatus* out) = 0;
  virtual Status ListPodSandbox(const SandboxFilter& filter, std::vector<Sandbox>* out) = 0;
  virtual Status CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                 const SandboxConfig& sandbox_config, std::string* container_id) = 0;
  virtual Status StartContainer(const std::string& container_id) = 0;
  // timeout: seconds between the stop signal and SIGKILL.
  virtual Status StopContainer(const std::string& container_id, int64_t timeout_seconds) = 0;
  virtual Status RemoveContainer(const std::string& container_id) = 0;
  virtual Status ListContainers(const ContainerFilter& filter, std::vector<Container>* out) = 0;
  // verbose=true also fills ContainerStatus::pid (from the runtime's info map).
  virtual Status ContainerStatus(const std::string& container_id, bool verbose, cri::ContainerStatus* out) = 0;
  // CRI Status (named so because Status is crilet's error type). The info map only with verbose, as CRI says.
  virtual Status RuntimeStatus(bool verbose, RuntimeStatusInfo* out) = 0;
  // CRI ListContainerStats: the usage of the containers `filter` selects (empty fields select all).
  virtual Status ListContainerStats(const ContainerStatsFilter& filter, std::vector<ContainerStats>* out) = 0;
  // CRI ListPodSandboxStats: the pods' own usage. Unimplemented from runtimes that lack it.
  virtual Status ListPodSandboxStats(const PodSandboxStatsFilter& filter, std::vector<PodSandboxStats>* out) = 0;

  virtual Status ReopenContainerLog(const std::string& container_id) = 0;
  // timeout 0 = none. A command that runs past its timeout yields DeadlineExceeded.
  virtual Status ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                          std::chrono::seconds timeout, ExecResult* out) = 0;
  // The same call started without blocking (the probe loop waits for it in its poll). Null with *error set
  // when it could not be sent. Every runtime has this path: the probe loop never blocks on an exec.
  virtual std::unique_ptr<ExecCall> StartExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                                                  std::chrono::seconds timeout, Status* error) = 0;

  // Streaming: each returns the one-time URL of a session on the runtime's streaming server, which the
  // caller dials (cli/remote_command, cli/port_forward). The server expects exactly the streams asked for.
  virtual Status Exec(const StreamExec& request, std::string* url) = 0;
  virtual Status Attach(const StreamAttach& request, std::string* url) = 0;
  virtual Status PortForward(const std::string& sandbox_id, const std::vector<int32_t>& ports, std::string* url) = 0;

  // ImageService
  virtual Status ListImages(std::vector<Image>* out) = 0;
  // *out is nullopt when the image is not present (not an error, as in CRI).
  virtual Status ImageStatus(const std::string& image, std::optional<Image>* out) = 0;
  // `auth` may be null: an anonymous pull.
  virtual Status PullImage(const std::string& image, const AuthConfig* auth, const SandboxConfig* sandbox_config,
                           std::string* image_ref) = 0;
  // Image garbage collection. `image` is an image ID (or name); removing one that is gone is not an error.
  virtual Status RemoveImage(const std::string& image) = 0;
  // The filesystems holding images; empty when the runtime names none.
  virtual Status ImageFsInfo(std::vector<FilesystemUsage>* out) = 0;
};

}  // namespace crilet::cri
