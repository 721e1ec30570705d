/// kubectl port-forward's rules (port specs, named ports, listen addresses) and the forwarding loop over one SPDY connection.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

struct ForwardedPort {
  uint16_t local = 0;  // 0 = let the system choose
  uint16_t remote = 0;
};

// "8080:80", ":80" (a free local port), "80" (the same port), "8080:http" (a container port's name in
// `pod`'s spec). Errors in kubectl's words.
Status ParsePortSpecs(const std::vector<std::string>& specs, const nlohmann::json& pod, std::vector<ForwardedPort>* out);

// --address values ("localhost" = 127.0.0.1 and ::1) as the IPs to listen on, in kubectl's order.
Status ParseListenAddresses(const std::vector<std::string>& addresses, std::vector<std::string>* out);

// Listens on every address for every port, prints kubectl's "Forwarding from 127.0.0.1:8080 -> 80" lines on
// `out`, then serves connections until the streaming connection ends: each accepted connection gets its own
// pair of SPDY streams (error, data) on the one connection `url` gives, so many run at once; a connection
// the pod refuses is reported on `err` and the forward goes on.
// Returns an error when no listener could be opened or the streaming connection was lost.
Status RunPortForward(const std::string& url, const std::vector<std::string>& addresses, std::vector<ForwardedPort> ports,
                      std::ostream& out, std::ostream& err);

}  // namespace crilet::cli
