// Kubelet's probe client rules (pkg/probe/http) on crilet's HTTP client: headers, redirects, Go's error texts.
#include "probes/http_prober.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "common/http_answer.h"
#include "common/http_client.h"
#include "common/status.h"
#include "probes/tcp_prober.h"

namespace crilet::probes {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

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

// After one answer: the final response, or nothing when the answer is a redirect to follow (then *url and
// *url_text name the next request). `requests`: how many were sent so far, this one included.
std::optional<HttpResponse> AfterAnswer(const HttpResult& r, const Url& first, int requests, Url* url,
                                        std::string* url_text) {
  // A body that could not be read still leaves the head: Go's client follows a redirect without caring for
  // its body, and returns any other answer, whose body read then fails.
  if (!r.ok() && r.error != HttpError::kBody) return HttpResponse{0, "", TransportError(r, *url, *url_text), false, ""};
  std::string location = r.Header("Location");
  if (IsFollowedRedirect(r.status) && !location.empty()) {
    std::string next_text = ResolveLocation(*url, location);
    Url next;
    std::string error;
    // Kubelet's redirect checker: follow only to the same host name; elsewhere the 3xx is the answer.
    if (!ParseUrl(next_text, &next, &error) || next.host != first.host) return HttpResponse{r.status, r.body, "", true, ""};
    // Go names the Location header as sent in this error, not the URL it resolves to (client.go: ue.URL = loc).
    if (requests >= kMaxRequests) return HttpResponse{0, "", "Get \"" + location + "\": stopped after 10 redirects", false, ""};
    *url = std::move(next);
    *url_text = std::move(next_text);
    return std::nullopt;
  }
  HttpResponse out{r.status, r.body, "", r.status >= 300 && r.status < 400, ""};
  if (r.error == HttpError::kBody) out.body_error = r.message;
  return out;
}

HttpGetOptions Options(const HttpRequest& req) {
  HttpGetOptions options;
  options.headers = Headers(req);
  options.max_body = kMaxBody;
  options.truncate = true;
  options.verify_tls = false;  // kubelet's probes skip certificate checks
  options.cancel = req.cancel;
  return options;
}

// Requests `url` and follows redirects until the deadline; `sent` requests were made before (0 for a new GET).
HttpResponse GetFrom(const HttpRequest& req, SteadyTime deadline, const Url& first, int sent, Url url,
                     std::string url_text) {
  HttpGetOptions options = Options(req);
  for (int requests = sent + 1;; ++requests) {
    options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    HttpResult r;
    if (options.timeout.count() <= 0) {
      r.error = HttpError::kTimeout;
    } else {
      r = HttpGetOnce(url, options);
    }
    if (auto done = AfterAnswer(r, first, requests, &url, &url_text)) return *done;
  }
}

ProbeOutcome OutcomeOf(const HttpResponse& r) {
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

// The first request of a plain-HTTP probe, driven step by step: connect, send, read the answer.
class HttpPending : public PendingProbe {
 public:
  HttpPending(int fd, bool connected, HttpRequest req, Url url, std::string request, SteadyTime deadline)
      : PendingProbe(deadline), fd_(fd), phase_(connected ? Phase::kSend : Phase::kConnect), req_(std::move(req)),
        url_(std::move(url)), request_(std::move(request)), parser_(kMaxBody, true) {}
  ~HttpPending() override { close(fd_); }
  int fd() const override { return fd_; }
  short events() const override { return phase_ == Phase::kRead ? POLLIN : POLLOUT; }

  // Sends what is left of the request; true once all of it left (false: wait for POLLOUT, or *step is set).
  bool Send(Step* step) {
    while (sent_ < request_.size()) {
      ssize_t n = send(fd_, request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      if (n < 0) {
        *step = Fail(HttpError::kIo, "write: " + ErrnoText(errno), errno);
        return false;
      }
      sent_ += static_cast<size_t>(n);
    }
    phase_ = Phase::kRead;
    return true;
  }

  Step OnReady(short) override {
    Step step;
    if (phase_ == Phase::kConnect) {
      int err = ConnectResult(fd_);
      if (err == EINPROGRESS) return step;
      if (err != 0) return Fail(HttpError::kConnect, "connect", err);
      phase_ = Phase::kSend;
    }
    if (phase_ == Phase::kSend) {
      Send(&step);
      return step;  // the answer cannot be there yet: wait for it
    }
    char buf[16384];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return step;
      if (n < 0 && parser_.HeadDone()) return Answered(parser_.BodyFailed("read: " + ErrnoText(errno)));
      if (n < 0) return Fail(HttpError::kIo, "read: " + ErrnoText(errno), errno);
      HttpAnswerParser::State state = parser_.Feed(std::string_view(buf, static_cast<size_t>(n)), n == 0);
      if (state == HttpAnswerParser::State::kNeedMore) {
        if (n == 0) return Fail(HttpError::kProtocol, "unexpected EOF");  // the parser asks no more after eof
        continue;
      }
      return Answered(parser_.result());
    }
  }

  ProbeOutcome OnTimeout() override {
    // After the head Go's client has returned the response: the timeout is one of reading the body.
    if (parser_.HeadDone()) {
      Step s = Answered(parser_.BodyFailed(kBodyTimeout));
      if (s.outcome) return *s.outcome;  // a redirect cannot be followed past the deadline either
    }
    HttpResult r;
    r.error = HttpError::kTimeout;
    return *Answered(r).outcome;
  }

 private:
  enum class Phase { kConnect, kSend, kRead };

  Step Fail(HttpError e, std::string message, int os_errno = 0) {
    HttpResult r;
    r.error = e;
    r.message = std::move(message);
    r.os_errno = os_errno;
    return Answered(r);
  }

  // The outcome of the first request, or the redirects to follow on a thread that may block.
  Step Answered(const HttpResult& r) {
    Url url = url_;
    std::string url_text = req_.url;
    if (auto done = AfterAnswer(r, url_, 1, &url, &url_text)) return Step{OutcomeOf(*done), nullptr};
    return Step{std::nullopt, [req = req_, deadline = deadline(), first = url_, url, url_text](const std::atomic<bool>* cancel) {
                  HttpRequest r = req;
                  r.cancel = cancel;
                  return OutcomeOf(GetFrom(r, deadline, first, 1, url, url_text));
                }};
  }

  int fd_;
  Phase phase_;
  HttpRequest req_;
  Url url_;
  std::string request_;
  size_t sent_ = 0;
  HttpAnswerParser parser_;
};

}  // namespace

HttpResponse HttpGet(const HttpRequest& req) {
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  Url url;
  std::string error;
  if (!ParseUrl(req.url, &url, &error)) return HttpResponse{0, "", "Get \"" + req.url + "\": " + error, false, ""};
  return GetFrom(req, deadline, url, 0, url, req.url);
}

ProbeOutcome HttpProbe(const HttpRequest& req) { return OutcomeOf(HttpGet(req)); }

ProbeStart HttpProbeStart(const HttpRequest& req) {
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  Url url;
  std::string error;
  if (!ParseUrl(req.url, &url, &error) || url.scheme != "http") return {};
  ConnectStart c = ConnectToAddress(url.host, url.port);
  if (!c.address) return {};  // a name: HttpProbe resolves it on a thread that may block
  ProbeStart out;
  if (c.err != 0 && c.err != EINPROGRESS) {
    HttpResult r;
    r.error = HttpError::kConnect;
    r.message = "connect";
    r.os_errno = c.err;
    out.outcome = OutcomeOf(HttpResponse{0, "", TransportError(r, url, req.url), false, ""});
    return out;
  }
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto pending = std::make_unique<HttpPending>(c.fd, c.err == 0, req, url, GetRequest(url, Headers(req)), deadline);
  // Connected at once (a pod on this host): the request leaves now, and the loop waits for the answer.
  PendingProbe::Step step;
  if (c.err == 0 && !pending->Send(&step) && step.outcome) {
    out.outcome = std::move(step.outcome);
    return out;
  }
  out.pending = std::move(pending);
  return out;
}

}  // namespace crilet::probes
