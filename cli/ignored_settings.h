/// Ignored kubelet settings: the kubelet flags crilet accepts but does not act on, and the start-up warnings
/// that name them (and the ignored KubeletConfiguration fields), security-related ones first.
#pragma once

#include <string>
#include <vector>

namespace crilet::cli {

struct IgnoredFlag {
  const char* name;   // without dashes: "kubeconfig"
  // pflag's value type where crilet checks it as kubelet would: "bool" (takes no separate value:
  // `--fail-swap-on`, `--fail-swap-on=false`), "int32", "int64"; "" = any string.
  const char* type;
  const char* field;  // the KubeletConfiguration field it stands for, "" if none
};

// Kubelet's flags (v1.3x) that crilet accepts so a kubelet command line (kubeadm's drop-in, a lab script) starts
// unchanged; each one given is named in a warning at start.
const std::vector<IgnoredFlag>& IgnoredKubeletFlags();
const IgnoredFlag* FindIgnoredFlag(const std::string& name);

// The warning lines to log at start. `fields`: ignored KubeletConfiguration fields the --config file set;
// `flags`: ignored flags given (without dashes). Security-related settings come first, one line per
// consequence (authentication, TLS, eviction, reservations...), saying what crilet does instead; the rest
// share one line. Empty when nothing was ignored.
std::vector<std::string> IgnoredSettingsWarnings(const std::vector<std::string>& fields,
                                                 const std::vector<std::string>& flags);

}  // namespace crilet::cli
