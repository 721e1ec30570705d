// Exec probes through CRI ExecSync.
#include "probes/exec_prober.h"

#include <map>

#include "common/expansion.h"

namespace crilet::probes {

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
  std::string output = r.stdout_data + r.stderr_data;
  if (r.exit_code == 0) return ProbeOutcome{Result::kSuccess, output, false, false};
  if (output.empty()) output = "command exited with " + std::to_string(r.exit_code);
  return ProbeOutcome{Result::kFailure, output, false, false};
}

}  // namespace crilet::probes
