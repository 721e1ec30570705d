/// HTTP GET for httpGet probes and hooks: kubelet's headers, status ranges, redirects and timeouts.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "manifests/pod.h"
#include "probes/pending_probe.h"
#include "probes/probe_state.h"

namespace crilet::probes {

// The Kubernetes version crilet's clients announce (kubelet sends its own <major>.<minor>).
#define CRILET_KUBE_VERSION "1.33"
inline constexpr const char* kProbeUserAgent = "kube-probe/" CRILET_KUBE_VERSION;
inline constexpr const char* kLifecycleUserAgent = "kube-lifecycle/" CRILET_KUBE_VERSION;

struct HttpRequest {
  std::string url;  // http(s)://host:port/path
  std::vector<manifests::HttpHeader> headers;  // a Host header sets the virtual host; Accept "" removes Accept
  std::chrono::milliseconds timeout{1000};     // for the whole request, redirects included
  std::string user_agent = kProbeUserAgent;    // unless a User-Agent header is given
  const std::atomic<bool>* cancel = nullptr;   // may be null; once true the request ends within ~50 ms
};

struct HttpResponse {
  long status = 0;                    // 0 when the request failed in transport
  std::string body;                   // at most 10 KiB (the rest is not read)
  std::string transport_error;        // kubelet-like text: "Get \"URL\": dial tcp ...: connect: connection refused"
  bool redirect_not_followed = false; // a 3xx to another host (or a final 3xx) came back as the response
  // The head arrived but reading the body failed (a timeout, a cut or malformed body): Go's text. Kubelet's
  // DoHTTPProbe returns that as an error, not a failure; hooks ignore it, as kubelet discards hook bodies.
  std::string body_error;
};

// One GET on a new connection (no keep-alive, no proxy, HTTPS certificates not checked), following redirects
// to the same host name (at most 10 requests in all, as Go's client). Used by probes and httpGet hooks.
HttpResponse HttpGet(const HttpRequest& req);

// Kubelet's DoHTTPProbe: 200-399 success; a 3xx that was not followed is a success with a warning; other codes
// fail with "HTTP probe failed with statuscode: N"; transport errors and timeouts fail with their text; a
// body that cannot be read (e.g. still trickling in at the timeout) is an error: retried, then dropped.
ProbeOutcome HttpProbe(const HttpRequest& req);

// HttpProbe for a caller that must not block (the probe scheduler's timer thread), for plain HTTP to an IP
// address only: connects without waiting and, once connected, sends the request; `pending` then waits for
// the answer (a redirect to follow is finished by PendingProbe::Step::rest on a thread that may block).
// Same outcomes and texts as HttpProbe. HTTPS or a host name: neither is set, run HttpProbe instead.
ProbeStart HttpProbeStart(const HttpRequest& req);

}  // namespace crilet::probes
