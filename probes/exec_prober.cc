// Exec probes through CRI ExecSync (kubelet's pkg/probe/exec).
#include "probes/exec_prober.h"

#include <map>

#include "common/expansion.h"

namespace crilet::probes {
namespace {

constexpr size_t kMaxExecOutput = 10 * 1024;

}  // namespace

std::vector<std::string> ExpandProbeCommand(const std::vector<std::string>& command, const manifests::Container& c) {
  std::map<std::string, std::string> env;
  for (const auto& e : c.env) {
    if (e.value) env[e.name] = *e.value;
  }
  std::vector<std::string> out;
  for (const auto& arg : command) {
    out.push_back(Expand(arg, [&](const std::string& n) -> std::optional<std::string> {
      auto it = env.find(n);
      if (it == env.end()) return std::nullopt;
      return it->second;
    }));
  }
  return out;
}

ProbeOutcome ExecOutcome(const Status& s, const cri::ExecResult& r, const std::vector<std::string>& cmd) {
  if (s.IsDeadlineExceeded() || (!s.ok() && s.message().find("timeout") != std::string::npos)) {
    std::string joined;
    for (const auto& a : cmd) joined += (joined.empty() ? "" : " ") + a;
    return ProbeOutcome{Result::kFailure, "command \"" + joined + "\" timed out", false, false};
  }
  if (!s.ok()) {
    // Kubelet passes on the runtime's gRPC error as it is ("rpc error: code = NotFound desc = ..."); crilet's
    // runtime client names the call ("ExecSync 3f2a...: ..."), which the log keeps but the probe text does not.
    std::string desc = s.message();
    if (desc.rfind("ExecSync ", 0) == 0 && desc.find(": ") != std::string::npos) desc = desc.substr(desc.find(": ") + 2);
    return ProbeOutcome{Result::kUnknown, GoRpcErrorText(s.code(), desc), true, false};
  }
  // Kubelet keeps at most 10 KiB of stdout+stderr; a failure with no output reads "Liveness probe failed: ".
  std::string output = (r.stdout_data + r.stderr_data).substr(0, kMaxExecOutput);
  if (r.exit_code == 0) return ProbeOutcome{Result::kSuccess, output, false, false};
  return ProbeOutcome{Result::kFailure, output, false, false};
}

ProbeOutcome ExecProbe(cri::Runtime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                       std::chrono::seconds timeout) {
  cri::ExecResult r;
  Status s = runtime->ExecSync(container_id, cmd, timeout, &r);
  return ExecOutcome(s, r, cmd);
}

namespace {

// An ExecSync on the runtime's shared connection, waited for by the caller's poll loop.
class ExecPending : public PendingProbe {
 public:
  ExecPending(std::unique_ptr<cri::ExecCall> call, std::vector<std::string> cmd)
      : PendingProbe(call->deadline()), call_(std::move(call)), cmd_(std::move(cmd)) {}
  int fd() const override { return call_->fd(); }
  short events() const override { return call_->events(); }
  bool Ready() const override { return call_->Ready(); }
  Step OnReady(short) override {
    cri::ExecResult r;
    std::optional<Status> s = call_->Step(&r);
    if (!s) return {};
    return Step{ExecOutcome(*s, r, cmd_)};
  }
  ProbeOutcome OnTimeout() override { return ExecOutcome(call_->Expire(), {}, cmd_); }

 private:
  std::unique_ptr<cri::ExecCall> call_;
  std::vector<std::string> cmd_;
};

}  // namespace

ProbeStart ExecProbeStart(cri::Runtime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                          std::chrono::seconds timeout) {
  Status error;
  std::unique_ptr<cri::ExecCall> call = runtime->StartExecSync(container_id, cmd, timeout, &error);
  ProbeStart out;
  if (!call) {
    // Not sent (the container is going away, the runtime is down): an error outcome, which the loop retries.
    if (error.ok()) error = Status(Code::kUnknown, "ExecSync " + container_id + ": the runtime did not start it");
    out.outcome = ExecOutcome(error, {}, cmd);
    return out;
  }
  out.pending = std::make_unique<ExecPending>(std::move(call), cmd);
  return out;
}

}  // namespace crilet::probes
