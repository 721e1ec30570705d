/// Lifecycle hooks: running a postStart or preStop handler (exec, httpGet, sleep) for a container.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "common/status.h"
#include "cri/runtime.h"
#include "manifests/pod.h"

namespace crilet::agent {

// How a hook reaches HTTP servers; the daemon makes the request on the probe manager's loop
// (ProbeManager::HttpGet, libcurl), tests inject a fake.
// Returns the transport outcome only: kubelet ignores the HTTP status of hook requests.
using HttpHookClient = std::function<Status(const std::string& url, const std::vector<manifests::HttpHeader>& headers,
                                            std::chrono::milliseconds timeout)>;

struct HookTarget {
  const manifests::Pod* pod = nullptr;
  const manifests::Container* container = nullptr;
  std::string container_id;
  std::string pod_ip;
};

class HookRunner {
 public:
  HookRunner(cri::Runtime* runtime, HttpHookClient http) : runtime_(runtime), http_(std::move(http)) {}

  // Runs the handler; timeout 0 = none (postStart exec in kubelet has no timeout). `cancel` (may be null)
  // cuts a sleep hook short when the agent shuts down. The error message is what kubelet puts in the
  // FailedPostStartHook/FailedPreStopHook event.
  Status Run(const manifests::LifecycleHandler& handler, const HookTarget& target, std::chrono::seconds timeout,
             const std::atomic<bool>* cancel) const;

  // The URL an httpGet handler or probe targets: <scheme>://<host or pod IP>:<port><path>.
  static Status HttpUrl(const manifests::HttpGetAction& get, const manifests::Container& c, const std::string& pod_ip,
                        std::string* url);

 private:
  cri::Runtime* runtime_;
  HttpHookClient http_;
};

}  // namespace crilet::agent
