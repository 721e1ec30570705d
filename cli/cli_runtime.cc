// The daemon's runtime endpoint from its /configz, as a CRI client.
#include "cli/cli_runtime.h"

#include <nlohmann/json.hpp>

#include "cli/status_client.h"

namespace crilet::cli {

Status RuntimeFromServer(const std::string& server, std::unique_ptr<cri::GrpcRuntime>* out) {
  nlohmann::json config;
  if (Status s = GetJson(server, "/configz", &config); !s.ok()) return s;
  cri::GrpcRuntimeOptions o;
  o.endpoint = config["kubeletconfig"].value("containerRuntimeEndpoint", "unix:///run/containerd/containerd.sock");
  o.request_timeout = std::chrono::hours(24);  // ExecSync runs the whole command; its --timeout bounds it
  *out = std::make_unique<cri::GrpcRuntime>(o);
  return Status::Ok();
}

}  // namespace crilet::cli
