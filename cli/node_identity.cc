// Node name and node IP checks.
#include "cli/node_identity.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace crilet::cli {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(b, e - b + 1);
}

}  // namespace

Status NodeName(const std::string& hostname_override, const std::string& host_name, std::string* out) {
  std::string name = Trim(hostname_override.empty() ? host_name : hostname_override);
  if (name.empty()) return Status::InvalidArgument("--hostname-override: empty hostname is invalid");
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  *out = name;
  return Status::Ok();
}

Status ParseNodeIp(const std::string& flag_value, std::string* out) {
  if (flag_value.empty()) {
    out->clear();
    return Status::Ok();
  }
  unsigned char buf[sizeof(in6_addr)];
  char text[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, flag_value.c_str(), buf) == 1 && inet_ntop(family, buf, text, sizeof text)) {
      *out = text;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("--node-ip: failed to parse node IP: \"" + flag_value + "\"");
}

}  // namespace crilet::cli
