// Timing wrapper around every CRI call.
#include "cri/instrumented_runtime.h"

#include <chrono>

namespace crilet::cri {

InstrumentedRuntime::InstrumentedRuntime(Runtime* inner, Metrics* metrics) : inner_(inner), metrics_(metrics) {
  metrics_->Declare("crilet_cri_request_duration_seconds", Metrics::Type::kHistogram, "Duration of CRI calls by method.",
                    Metrics::LatencyBuckets());
  metrics_->Declare("crilet_cri_request_errors_total", Metrics::Type::kCounter, "Failed CRI calls by method and code.");
}

namespace {

// Books a call that started at `start` and ended now with `s`.
void Record(Metrics* metrics, const char* method, std::chrono::steady_clock::time_point start, const Status& s) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics->Observe("crilet_cri_request_duration_seconds", {{"method", method}}, secs);
  if (!s.ok()) metrics->Add("crilet_cri_request_errors_total", {{"method", method}, {"code", CodeName(s.code())}});
}

}  // namespace

template <typename F>
Status InstrumentedRuntime::Timed(const char* method, F&& call) {
  auto start = std::chrono::steady_clock::now();
  Status s = call();
  Record(metrics_, method, start, s);
  return s;
}

namespace {

// An ExecCall that books its duration and result when it ends, as Timed does for blocking calls.
class TimedExecCall : public ExecCall {
 public:
  TimedExecCall(std::unique_ptr<ExecCall> inner, Metrics* metrics, std::chrono::steady_clock::time_point start)
      : inner_(std::move(inner)), metrics_(metrics), start_(start) {}
  int fd() const override { return inner_->fd(); }
  short events() const override { return inner_->events(); }
  std::chrono::steady_clock::time_point deadline() const override { return inner_->deadline(); }
  bool Ready() const override { return inner_->Ready(); }
  std::optional<Status> Step(ExecResult* out) override {
    std::optional<Status> s = inner_->Step(out);
    if (s) Record(metrics_, "ExecSync", start_, *s);
    return s;
  }
  Status Expire() override {
    Status s = inner_->Expire();
    Record(metrics_, "ExecSync", start_, s);
    return s;
  }

 private:
  std::unique_ptr<ExecCall> inner_;
  Metrics* metrics_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

Status InstrumentedRuntime::Version(VersionInfo* out) {
  return Timed("Version", [&] { return inner_->Version(out); });
}
Status InstrumentedRuntime::RunPodSandbox(const SandboxConfig& c, std::string* id) {
  return Timed("RunPodSandbox", [&] { return inner_->RunPodSandbox(c, id); });
}
Status InstrumentedRuntime::StopPodSandbox(const std::string& id) {
  return Timed("StopPodSandbox", [&] { return inner_->StopPodSandbox(id); });
}
Status InstrumentedRuntime::RemovePodSandbox(const std::string& id) {
  return Timed("RemovePodSandbox", [&] { return inner_->RemovePodSandbox(id); });
}
Status InstrumentedRuntime::PodSandboxStatus(const std::string& id, SandboxStatus* out) {
  return Timed("PodSandboxStatus", [&] { return inner_->PodSandboxStatus(id, out); });
}
Status InstrumentedRuntime::ListPodSandbox(const SandboxFilter& f, std::vector<Sandbox>* out) {
  return Timed("ListPodSandbox", [&] { return inner_->ListPodSandbox(f, out); });
}
Status InstrumentedRuntime::CreateContainer(const std::string& sb, const ContainerConfig& c, const SandboxConfig& sc,
                                            std::string* id) {
  return Timed("CreateContainer", [&] { return inner_->CreateContainer(sb, c, sc, id); });
}
Status InstrumentedRuntime::StartContainer(const std::string& id) {
  return Timed("StartContainer", [&] { return inner_->StartContainer(id); });
}
Status InstrumentedRuntime::StopContainer(const std::string& id, int64_t t) {
  return Timed("StopContainer", [&] { return inner_->StopContainer(id, t); });
}
Status InstrumentedRuntime::RemoveContainer(const std::string& id) {
  return Timed("RemoveContainer", [&] { return inner_->RemoveContainer(id); });
}
Status InstrumentedRuntime::ListContainers(const ContainerFilter& f, std::vector<Container>* out) {
  return Timed("ListContainers", [&] { return inner_->ListContainers(f, out); });
}
Status InstrumentedRuntime::RuntimeStatus(bool verbose, RuntimeStatusInfo* out) {
  return Timed("Status", [&] { return inner_->RuntimeStatus(verbose, out); });
}
Status InstrumentedRuntime::ListContainerStats(const ContainerStatsFilter& f, std::vector<ContainerStats>* out) {
  return Timed("ListContainerStats", [&] { return inner_->ListContainerStats(f, out); });
}

Status InstrumentedRuntime::ListPodSandboxStats(const PodSandboxStatsFilter& f, std::vector<PodSandboxStats>* out) {
  return Timed("ListPodSandboxStats", [&] { return inner_->ListPodSandboxStats(f, out); });
}
Status InstrumentedRuntime::ContainerStatus(const std::string& id, bool verbose, cri::ContainerStatus* out) {
  return Timed("ContainerStatus", [&] { return inner_->ContainerStatus(id, verbose, out); });
}
Status InstrumentedRuntime::ReopenContainerLog(const std::string& id) {
  return Timed("ReopenContainerLog", [&] { return inner_->ReopenContainerLog(id); });
}
Status InstrumentedRuntime::ExecSync(const std::string& id, const std::vector<std::string>& cmd,
                                     std::chrono::seconds timeout, ExecResult* out) {
  return Timed("ExecSync", [&] { return inner_->ExecSync(id, cmd, timeout, out); });
}
std::unique_ptr<ExecCall> InstrumentedRuntime::StartExecSync(const std::string& id, const std::vector<std::string>& cmd,
                                                              std::chrono::seconds timeout, Status* error) {
  const auto start = std::chrono::steady_clock::now();
  Status failed;
  std::unique_ptr<ExecCall> call = inner_->StartExecSync(id, cmd, timeout, &failed);
  if (call) return std::make_unique<TimedExecCall>(std::move(call), metrics_, start);
  // Not started: the failure is booked now.
  Record(metrics_, "ExecSync", start, failed);
  *error = failed;
  return nullptr;
}
Status InstrumentedRuntime::Exec(const StreamExec& request, std::string* url) {
  return Timed("Exec", [&] { return inner_->Exec(request, url); });
}
Status InstrumentedRuntime::Attach(const StreamAttach& request, std::string* url) {
  return Timed("Attach", [&] { return inner_->Attach(request, url); });
}
Status InstrumentedRuntime::PortForward(const std::string& sandbox_id, const std::vector<int32_t>& ports,
                                        std::string* url) {
  return Timed("PortForward", [&] { return inner_->PortForward(sandbox_id, ports, url); });
}
Status InstrumentedRuntime::ListImages(std::vector<Image>* out) {
  return Timed("ListImages", [&] { return inner_->ListImages(out); });
}
Status InstrumentedRuntime::ImageStatus(const std::string& image, std::optional<Image>* out) {
  return Timed("ImageStatus", [&] { return inner_->ImageStatus(image, out); });
}
Status InstrumentedRuntime::PullImage(const std::string& image, const AuthConfig* auth, const SandboxConfig* sc,
                                      std::string* ref) {
  return Timed("PullImage", [&] { return inner_->PullImage(image, auth, sc, ref); });
}
Status InstrumentedRuntime::RemoveImage(const std::string& image) {
  return Timed("RemoveImage", [&] { return inner_->RemoveImage(image); });
}
Status InstrumentedRuntime::ImageFsInfo(std::vector<FilesystemUsage>* out) {
  return Timed("ImageFsInfo", [&] { return inner_->ImageFsInfo(out); });
}

}  // namespace crilet::cri
