/// httpGet for probes and hooks on a CurlLoop: kubelet's headers, status ranges, redirects and Go's texts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/curl_loop.h"
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
  std::chrono::milliseconds timeout{1000};     // for the whole exchange, redirects included
  std::string user_agent = kProbeUserAgent;    // unless a User-Agent header is given
  const std::atomic<bool>* cancel = nullptr;   // HttpGet only (may be null); once true it ends within ~50 ms
};

struct HttpResponse {
  long status = 0;                    // 0 when the request failed in transport
  std::string body;                   // at most 10 KiB (the rest is not read)
  std::string transport_error;        // kubelet-like text: "Get \"URL\": dial tcp ...: connect: connection refused"
  bool redirect_not_followed = false; // a 3xx to another host (or a final 3xx) came back as the response
  // The head arrived but reading the body failed (a timeout, a cut body): Go's text. Kubelet's DoHTTPProbe
  // returns that as an error, not a failure; hooks ignore it, as kubelet discards hook bodies.
  std::string body_error;
};

// One httpGet exchange on a CurlLoop, as kubelet's probe client makes it: a new connection per request (no
// keep-alive, no proxy, HTTPS certificates not checked, host names by libcurl's threaded resolver), at
// most 10 KiB of body, and redirects to the same host name followed (at most 10 requests in all, as Go's
// client) within one timeout for the whole exchange. `done` runs once, from a later loop->Process (never
// from the constructor); it must not destroy the exchange. Destroying the exchange first drops it
// silently. Loop thread only, like the CurlLoop.
class HttpExchange {
 public:
  using Done = std::function<void(HttpResponse)>;
  HttpExchange(CurlLoop* loop, HttpRequest req, Done done);
  ~HttpExchange();
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

 private:
  void Send();  // the request to url_
  void Answered(CurlLoop::Response r);

  CurlLoop* loop_;
  HttpRequest req_;
  Done done_;
  std::chrono::steady_clock::time_point deadline_;
  std::string first_host_;  // redirects are followed to this host name only
  std::string url_;         // of the request in flight
  int requests_ = 0;        // sent so far
  CurlLoop::RequestId id_ = 0;
  bool in_flight_ = false;
};

// Kubelet's DoHTTPProbe on an answer: 200-399 success; a 3xx that was not followed is a success with a
// warning; other codes fail with "HTTP probe failed with statuscode: N"; transport errors and timeouts fail
// with their text; a body that cannot be read (e.g. still trickling in at the timeout) is an error:
// retried, then dropped.
ProbeOutcome HttpOutcome(const HttpResponse& r);

// An httpGet probe run on `loop` for the probe loop: no socket of its own (the loop polls the CurlLoop's),
// Ready once the exchange ended.
ProbeStart HttpProbeStart(CurlLoop* loop, const HttpRequest& req);

// The same exchange for a caller without a loop (the CLI, tests): on a private CurlLoop, waiting.
HttpResponse HttpGet(const HttpRequest& req);
ProbeOutcome HttpProbe(const HttpRequest& req);

}  // namespace crilet::probes
