/// The node's name and IP from --hostname-override and --node-ip, checked and normalised as kubelet does; pure.
#pragma once

#include <string>

#include "common/status.h"

namespace crilet::cli {

// kubelet's GetHostname: the override (or, when it is empty, `host_name`) trimmed of white space and
// lowercased; static pod "web" then runs as "web-<that name>". "empty hostname is invalid" when nothing is left.
Status NodeName(const std::string& hostname_override, const std::string& host_name, std::string* out);

// --node-ip: "" (not given) passes; else it must be an IPv4 or IPv6 address, written back in its canonical
// form. The error is one line naming the flag and the value: `--node-ip: failed to parse node IP: "x"`.
Status ParseNodeIp(const std::string& flag_value, std::string* out);

}  // namespace crilet::cli
