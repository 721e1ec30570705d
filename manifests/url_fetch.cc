// A manifest URL fetched on a private CurlLoop, polled in 50 ms slices so that a cancel flag ends it soon.
#include "manifests/url_fetch.h"

#include <strings.h>

#include <cstring>
#include <optional>

#include "common/curl_loop.h"

namespace crilet::manifests {

namespace {

constexpr int kMaxRedirects = 5;

bool IsFollowedRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// libcurl's failure, said the way this source's errors always read ("connect to host:port: cause").
std::string Describe(const CurlLoop::Response& r, const UrlParts& u, std::chrono::milliseconds timeout) {
  using F = CurlLoop::Failure;
  switch (r.failure) {
    case F::kTimeout: return "no answer from " + u.HostPort() + " within " + std::to_string(timeout.count()) + " ms";
    case F::kResolve: return "lookup " + u.host + ": " + r.error;
    case F::kConnect: return "connect to " + u.HostPort() + ": " + (r.os_errno ? std::strerror(r.os_errno) : r.error);
    case F::kTooLarge: return r.error;
    default: return u.HostPort() + ": " + r.error;
  }
}

}  // namespace

std::string FetchAnswer::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

FetchAnswer FetchUrl(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout, size_t max_bytes, const std::atomic<bool>* cancel) {
  using std::chrono::steady_clock;
  const auto deadline = steady_clock::now() + timeout;
  FetchAnswer answer;
  CurlLoop loop;
  CurlLoop::Request req;
  req.headers = headers;
  req.headers.emplace_back("Connection", "close");
  req.max_body = max_bytes;
  req.truncate_body = false;
  req.verify_tls = true;
  std::string target = url;
  for (int redirects = 0;; ++redirects) {
    UrlParts u;
    if (!ParseHttpUrl(target, &u, &answer.error)) return answer;
    req.url = target;
    req.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (req.timeout.count() <= 0) {
      answer.error = "no answer from " + u.HostPort() + " within " + std::to_string(timeout.count()) + " ms";
      return answer;
    }
    std::optional<CurlLoop::Response> got;
    loop.Start(req, [&](CurlLoop::Response r) { got = std::move(r); });
    while (!got) {
      if (cancel && cancel->load()) {
        answer.error = "cancelled";
        return answer;  // the loop's destructor drops the request and its socket
      }
      loop.Poll(std::chrono::milliseconds(50));
    }
    if (!got->ok()) {
      answer.error = Describe(*got, u, timeout);
      return answer;
    }
    if (IsFollowedRedirect(got->status) && !got->redirect_url.empty()) {
      if (redirects == kMaxRedirects) {
        answer.error = "more than " + std::to_string(kMaxRedirects) + " redirects";
        return answer;
      }
      target = got->redirect_url;
      continue;
    }
    answer.status = got->status;
    answer.body = std::move(got->body);
    answer.headers = std::move(got->headers);
    return answer;
  }
}

long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error, size_t max_bytes,
               const std::atomic<bool>* cancel) {
  FetchAnswer a = FetchUrl(url, headers, timeout, max_bytes, cancel);
  *body = std::move(a.body);
  *error = std::move(a.error);
  return a.status;
}

}  // namespace crilet::manifests
