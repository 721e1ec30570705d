/// Finding a pod and one of its containers of the local crilet, with the errors kubectl users expect.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/status_source.h"
#include "common/status.h"

namespace crilet::cli {

struct ContainerRef {
  nlohmann::json pod;        // the v1 Pod from the status server
  nlohmann::json status;     // the container's status ({} when it has none yet)
  std::string name;
  bool init = false;
  std::string container_id;  // without the "containerd://" prefix; "" before the first instance
  int restart_count = 0;
};

// Looks up POD by its full name (web-node1) or its manifest name (web); `query` is appended to the request
// (e.g. "?events=1"). Errors say what to do next.
Status FindPod(const StatusSource& source, const std::string& ns, const std::string& pod, const std::string& query,
               nlohmann::json* out);

// Looks up POD (its full name, e.g. web-node1; also accepts the manifest name "web") and its container
// `container` ("" = the only one, like kubectl). Errors say what to do next.
Status FindContainer(const StatusSource& source, const std::string& ns, const std::string& pod,
                     const std::string& container, ContainerRef* out);

}  // namespace crilet::cli
