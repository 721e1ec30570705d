// Kubelet's probe client rules (pkg/probe/http) on crilet's HTTP client: headers, redirects, Go's error texts.
#include "probes/http_prober.h"

#include <strings.h>

#include "common/http_client.h"
#include "common/status.h"

namespace crilet::probes {
namespace {

constexpr size_t kMaxBody = 10 * 1024;  // kubelet's maxRespBodyLength
constexpr int kMaxRequests = 10;        // Go's client: "stopped after 10 redirects"

// Go's wording for the common transport errors, so events read like kubelet's.
std::string TransportError(const HttpResult& r, const Url& url, const std::string& url_text) {
  std::string why;
  switch (r.error) {
    case HttpError::kTimeout:
      why = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
      break;
    case HttpError::kConnect:
      why = "dial tcp " + url.HostPort() + ": connect: " +
            (r.os_errno != 0 ? ErrnoText(r.os_errno) : r.message);
      break;
    case HttpError::kResolve:
      why = "dial tcp: lookup " + url.host + ": no such host";
      break;
    case HttpError::kCancelled:
      why = "context canceled";
      break;
    default:
      why = r.message;
  }
  return "Get \"" + url_text + "\": " + why;
}

std::vector<std::pair<std::string, std::string>> Headers(const HttpRequest& req) {
  std::vector<std::pair<std::string, std::string>> out;
  bool agent = false, accept = false;
  for (const auto& h : req.headers) {
    bool is_agent = strcasecmp(h.name.c_str(), "User-Agent") == 0;
    bool is_accept = strcasecmp(h.name.c_str(), "Accept") == 0;
    agent = agent || is_agent;
    accept = accept || is_accept;
    // Go omits an empty User-Agent and kubelet drops an empty Accept; other empty headers are sent empty.
    if (h.value.empty() && (is_agent || is_accept)) continue;
    out.emplace_back(h.name, h.value);
  }
  if (!agent) out.emplace_back("User-Agent", req.user_agent);
  if (!accept) out.emplace_back("Accept", "*/*");
  out.emplace_back("Connection", "close");  // kubelet's probe transport disables keep-alive
  return out;
}

}  // namespace

HttpResponse HttpGet(const HttpRequest& req) {
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  HttpGetOptions options;
  options.headers = Headers(req);
  options.max_body = kMaxBody;
  options.truncate = true;
  options.verify_tls = false;  // kubelet's probes skip certificate checks
  options.cancel = req.cancel;
  std::string url_text = req.url;
  Url url, first;
  std::string error;
  if (!ParseUrl(url_text, &url, &error)) return HttpResponse{0, "", "Get \"" + url_text + "\": " + error, false};
  first = url;
  for (int requests = 1;; ++requests) {
    options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    HttpResult r;
    if (options.timeout.count() <= 0) {
      r.error = HttpError::kTimeout;
    } else {
      r = HttpGetOnce(url, options);
    }
    if (!r.ok()) return HttpResponse{0, "", TransportError(r, url, url_text), false};
    std::string location = r.Header("Location");
    if (IsFollowedRedirect(r.status) && !location.empty()) {
      std::string next_text = ResolveLocation(url, location);
      Url next;
      // Kubelet's redirect checker: follow only to the same host name; elsewhere the 3xx is the answer.
      if (!ParseUrl(next_text, &next, &error) || next.host != first.host) {
        return HttpResponse{r.status, r.body, "", true};
      }
      if (requests >= kMaxRequests) {
        return HttpResponse{0, "", "Get \"" + next_text + "\": stopped after 10 redirects", false};
      }
      url = next;
      url_text = next_text;
      continue;
    }
    return HttpResponse{r.status, r.body, "", r.status >= 300 && r.status < 400};
  }
}

ProbeOutcome HttpProbe(const HttpRequest& req) {
  HttpResponse r = HttpGet(req);
  if (r.status == 0) return ProbeOutcome{Result::kFailure, r.transport_error, false, false};
  if (r.status >= 200 && r.status < 300) return ProbeOutcome{Result::kSuccess, r.body, false, false};
  if (r.status >= 300 && r.status < 400) {
    return ProbeOutcome{Result::kSuccess, "Probe terminated redirects, Response body: " + r.body, false, true};
  }
  // Kubelet keeps the body out of this message on purpose (issue 99425).
  return ProbeOutcome{Result::kFailure, "HTTP probe failed with statuscode: " + std::to_string(r.status), false, false};
}

}  // namespace crilet::probes
