/// Node identity as kubelet derives it: the node name from the host name, the node IP from the default route.
#pragma once

#include <string>

namespace crilet::cli {

// The host name, lowercased (kubelet lowercases node names).
std::string DefaultNodeName();

// The IPv4 address of the interface holding the default route; else the first non-loopback IPv4
// address; else "127.0.0.1".
std::string DefaultNodeIp();

}  // namespace crilet::cli
