// Kubelet's probe client rules (pkg/probe/http) as a state machine on CurlLoop: headers, redirects, Go's texts.
#include "probes/http_prober.h"

#include <strings.h>

#include <optional>

#include "probes/http_errors.h"

namespace crilet::probes {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr size_t kMaxBody = 10 * 1024;  // kubelet's maxRespBodyLength
constexpr int kMaxRequests = 10;        // Go's client: "stopped after 10 redirects"
// How long past its timeout the probe loop waits for libcurl to end an exchange (libcurl's own timer ends it
// at the timeout; this only bounds a run should it not).
constexpr auto kBackstop = std::chrono::seconds(1);

// The redirect codes Go's client follows; other 3xx answers are final.
bool IsFollowedRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

CurlLoop::Headers Headers(const HttpRequest& req) {
  CurlLoop::Headers out;
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

std::string TimeoutText(const std::string& url) {
  return "Get \"" + url + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
}

}  // namespace

HttpExchange::HttpExchange(CurlLoop* loop, HttpRequest req, Done done)
    : loop_(loop), req_(std::move(req)), done_(std::move(done)),
      deadline_(std::chrono::steady_clock::now() + req_.timeout), url_(req_.url) {
  UrlParts parts;
  std::string error;
  if (ParseHttpUrl(url_, &parts, &error)) first_host_ = parts.host;
  Send();  // a URL that does not parse fails in CurlLoop::Start and is told from its next Process
}

HttpExchange::~HttpExchange() {
  if (in_flight_) loop_->Cancel(id_);
}

void HttpExchange::Send() {
  CurlLoop::Request r;
  r.url = url_;
  r.headers = Headers(req_);
  // What is left of the exchange's timeout (at least 1 ms: libcurl then reports the timeout itself).
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
  r.timeout = std::max(left, std::chrono::milliseconds(1));
  r.max_body = kMaxBody;
  r.truncate_body = true;   // kubelet's ReadAtMost: 10 KiB, then the status decides
  r.verify_tls = false;     // InsecureSkipVerify, as kubelet's probes
  r.allow_http09 = true;    // garbage comes back as bytes, quoted in Go's "malformed HTTP response"
  ++requests_;
  in_flight_ = true;
  id_ = loop_->Start(r, [this](CurlLoop::Response a) {
    in_flight_ = false;
    Answered(std::move(a));
  });
}

void HttpExchange::Answered(CurlLoop::Response a) {
  using F = CurlLoop::Failure;
  auto finish = [this](HttpResponse out) {
    Done done = std::move(done_);
    done(std::move(out));  // last: nothing of this object is used after it
  };
  UrlParts parts;
  std::string parse_error;
  const bool parsed = ParseHttpUrl(url_, &parts, &parse_error);
  if (a.failure == F::kBadUrl) return finish(HttpResponse{0, "", "Get \"" + url_ + "\": " + (parsed ? a.error : parse_error), false, ""});
  // A failure once the head was in is one of reading the body: Go's client had the response by then.
  const bool head = a.status != 0 && a.failure != F::kHeadTooLarge;
  if (!a.ok() && !head) return finish(HttpResponse{0, "", TransportError(a, parts, url_), false, ""});
  if (a.status == 0) {
    // Not an HTTP answer (libcurl took it as HTTP/0.9): Go's ReadResponse fails on its first line.
    if (a.body.empty()) return finish(HttpResponse{0, "", "Get \"" + url_ + "\": EOF", false, ""});
    return finish(HttpResponse{0, "", "Get \"" + url_ + "\": " + MalformedAnswer(a.body.substr(0, a.body.find('\n'))), false, ""});
  }
  // Go's client follows a redirect without caring for its body; any other answer is returned.
  const std::string location = a.Header("Location");
  if (IsFollowedRedirect(a.status) && !location.empty()) {
    UrlParts next;
    std::string error;
    // Kubelet's redirect checker: follow only to the same host name; elsewhere the 3xx is the answer.
    if (a.redirect_url.empty() || !ParseHttpUrl(a.redirect_url, &next, &error) || next.host != first_host_) {
      return finish(HttpResponse{a.status, std::move(a.body), "", true, ""});
    }
    // Go names the Location header as sent in this error, not the URL it resolves to (client.go: ue.URL = loc).
    if (requests_ >= kMaxRequests) {
      return finish(HttpResponse{0, "", "Get \"" + location + "\": stopped after 10 redirects", false, ""});
    }
    url_ = a.redirect_url;
    Send();
    return;
  }
  HttpResponse out{a.status, std::move(a.body), "", a.status >= 300 && a.status < 400, BodyError(a)};
  finish(std::move(out));
}

ProbeOutcome HttpOutcome(const HttpResponse& r) {
  if (r.status == 0) return ProbeOutcome{Result::kFailure, r.transport_error, false, false};
  // DoHTTPProbe returns (Failure, "", err) when ReadAtMost fails: an error, which the prober retries.
  if (!r.body_error.empty()) return ProbeOutcome{Result::kFailure, r.body_error, true, false};
  if (r.status >= 200 && r.status < 300) return ProbeOutcome{Result::kSuccess, r.body, false, false};
  if (r.status >= 300 && r.status < 400) {
    return ProbeOutcome{Result::kSuccess, "Probe terminated redirects, Response body: " + r.body, false, true};
  }
  // Kubelet keeps the body out of this message on purpose (issue 99425).
  return ProbeOutcome{Result::kFailure, "HTTP probe failed with statuscode: " + std::to_string(r.status), false, false};
}

namespace {

// An httpGet run in the probe loop: its sockets are the CurlLoop's, so it has none to poll itself.
class HttpPending : public PendingProbe {
 public:
  HttpPending(CurlLoop* loop, const HttpRequest& req)
      : PendingProbe(std::chrono::steady_clock::now() + req.timeout + kBackstop), url_(req.url),
        exchange_(loop, req, [this](HttpResponse r) { outcome_ = HttpOutcome(r); }) {}
  int fd() const override { return -1; }
  short events() const override { return 0; }
  bool Ready() const override { return outcome_.has_value(); }
  Step OnReady(short) override { return Step{outcome_}; }
  ProbeOutcome OnTimeout() override { return ProbeOutcome{Result::kFailure, TimeoutText(url_), false, false}; }

 private:
  std::string url_;
  std::optional<ProbeOutcome> outcome_;  // set by the exchange's callback, so declared before it
  HttpExchange exchange_;
};

}  // namespace

ProbeStart HttpProbeStart(CurlLoop* loop, const HttpRequest& req) {
  ProbeStart out;
  out.pending = std::make_unique<HttpPending>(loop, req);
  return out;
}

HttpResponse HttpGet(const HttpRequest& req) {
  CurlLoop loop;
  std::optional<HttpResponse> got;
  HttpExchange exchange(&loop, req, [&](HttpResponse r) { got = std::move(r); });
  while (!got && loop.running() > 0) {
    if (req.cancel && req.cancel->load()) return HttpResponse{0, "", "Get \"" + req.url + "\": context canceled", false, ""};
    loop.Poll(std::chrono::milliseconds(50));  // 50 ms slices, to see the cancel flag
  }
  if (!got) return HttpResponse{0, "", TimeoutText(req.url), false, ""};  // cannot happen: the exchange always ends
  return *got;
}

ProbeOutcome HttpProbe(const HttpRequest& req) { return HttpOutcome(HttpGet(req)); }

}  // namespace crilet::probes
