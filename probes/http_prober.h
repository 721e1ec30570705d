/// HTTP GET for httpGet probes and hooks (libcurl): kubelet's headers, status ranges, redirects and timeouts.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "manifests/pod.h"
#include "probes/probe_state.h"

namespace crilet::probes {

inline constexpr const char* kProbeUserAgent = "kube-probe/1.33";

struct HttpRequest {
  std::string url;  // http(s)://host:port/path
  std::vector<manifests::HttpHeader> headers;
  std::chrono::milliseconds timeout{1000};
  std::string user_agent = kProbeUserAgent;  // unless a User-Agent header is given
};

struct HttpResponse {
  long status = 0;             // 0 when the request failed in transport
  std::string body;            // at most 10 KiB
  std::string transport_error; // kubelet-like text: "Get \"URL\": ..."
  bool redirect_not_followed = false;
};

// One GET, following same-host redirects (at most 10). Used by probes and by httpGet lifecycle hooks.
HttpResponse HttpGet(const HttpRequest& req);

// Success for 200-399; redirects to the same host are followed (at most 10); a redirect elsewhere, or a final
// 3xx, is a success with a warning. HTTPS certificates are not checked; no proxy; a new connection each time;
// at most 10 KiB of body is read. Transport errors and timeouts are failures whose output reads like kubelet's.
ProbeOutcome HttpProbe(const HttpRequest& req);

}  // namespace crilet::probes
