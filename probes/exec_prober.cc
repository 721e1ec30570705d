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

ProbeOutcome ExecProbe(cri::Runtime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                       std::chrono::seconds timeout) {
  cri::ExecResult r;
  Status s = runtime->ExecSync(container_id, cmd, timeout, &r);
  if (s.IsDeadlineExceeded() || (!s.ok() && s.message().find("timeout") != std::string::npos)) {
    std::string joined;
    for (const auto& a : cmd) joined += (joined.empty() ? "" : " ") + a;
    return ProbeOutcome{Result::kFailure, "command \"" + joined + "\" timed out", false, false};
  }
  if (!s.ok()) return ProbeOutcome{Result::kUnknown, s.message(), true, false};
  // Kubelet keeps at most 10 KiB of stdout+stderr; a failure with no output reads "Liveness probe failed: ".
  std::string output = (r.stdout_data + r.stderr_data).substr(0, kMaxExecOutput);
  if (r.exit_code == 0) return ProbeOutcome{Result::kSuccess, output, false, false};
  return ProbeOutcome{Result::kFailure, output, false, false};
}

}  // namespace crilet::probes
