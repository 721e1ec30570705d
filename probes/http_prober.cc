// libcurl GET with kubelet's probe client rules (pkg/probe/http), driven through a multi handle so that a
// cancel flag is seen within 50 ms.
#include "probes/http_prober.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace crilet::probes {
namespace {

constexpr size_t kMaxBody = 10 * 1024;  // kubelet's maxRespBodyLength
constexpr int kMaxRequests = 10;        // Go's client: "stopped after 10 redirects"

struct Body {
  std::string data;
  bool truncated = false;
};

size_t Collect(char* ptr, size_t size, size_t n, void* user) {
  auto* b = static_cast<Body*>(user);
  size_t bytes = size * n;
  size_t room = kMaxBody - b->data.size();
  if (bytes <= room) {
    b->data.append(ptr, bytes);
    return bytes;
  }
  // Like kubelet's ReadAtMost: keep 10 KiB and stop reading (a streaming endpoint must not hold the probe).
  b->data.append(ptr, room);
  b->truncated = true;
  return 0;
}

struct UrlParts {
  std::string host;  // without port; IPv6 in brackets
  std::string port;
};

UrlParts PartsOf(const std::string& url) {
  UrlParts out;
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return out;
  char* part = nullptr;
  if (curl_url_get(u.get(), CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    out.host = part;
    curl_free(part);
  }
  if (curl_url_get(u.get(), CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out.port = part;
    curl_free(part);
  }
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Go's wording for the common transport errors, so events read like kubelet's.
std::string TransportError(CURLcode rc, long os_errno, const std::string& url, const char* detail) {
  UrlParts p = PartsOf(url);
  std::string why;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      why = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
      break;
    case CURLE_COULDNT_CONNECT:
      why = "dial tcp " + p.host + ":" + p.port + ": connect: " +
            (os_errno != 0 ? Lower(std::strerror(static_cast<int>(os_errno))) : std::string(detail));
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      why = "dial tcp: lookup " + p.host + ": no such host";
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      why = "context canceled";
      break;
    default:
      why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
  }
  return "Get \"" + url + "\": " + why;
}

curl_slist* Headers(const HttpRequest& req) {
  curl_slist* list = nullptr;
  bool agent = false, accept = false;
  for (const auto& h : req.headers) {
    bool is_agent = strcasecmp(h.name.c_str(), "User-Agent") == 0;
    bool is_accept = strcasecmp(h.name.c_str(), "Accept") == 0;
    agent = agent || is_agent;
    accept = accept || is_accept;
    std::string line;
    if (!h.value.empty()) {
      line = h.name + ": " + h.value;
    } else if (is_agent || is_accept) {
      line = h.name + ":";  // curl: "Name:" sends no such header (Go omits an empty User-Agent; kubelet drops an empty Accept)
    } else {
      line = h.name + ";";  // curl: "Name;" sends the header with an empty value
    }
    list = curl_slist_append(list, line.c_str());
  }
  if (!agent) list = curl_slist_append(list, ("User-Agent: " + req.user_agent).c_str());
  if (!accept) list = curl_slist_append(list, "Accept: */*");
  // Kubelet's probe transport disables keep-alive.
  list = curl_slist_append(list, "Connection: close");
  return list;
}

struct Transfer {
  CURLcode rc = CURLE_OK;
  long status = 0;
  long os_errno = 0;
  std::string location;  // absolute redirect target, if any
  char detail[CURL_ERROR_SIZE] = {0};
};

// One request on a new connection; returns when done, timed out or cancelled.
Transfer Perform(const HttpRequest& req, const std::string& url, curl_slist* headers,
                 std::chrono::milliseconds timeout, Body* body) {
  Transfer t;
  CURL* c = curl_easy_init();
  CURLM* multi = curl_multi_init();
  if (!c || !multi) {
    if (c) curl_easy_cleanup(c);
    if (multi) curl_multi_cleanup(multi);
    t.rc = CURLE_FAILED_INIT;
    std::snprintf(t.detail, sizeof t.detail, "cannot initialise libcurl");
    return t;
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, timeout.count())));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are checked here, per kubelet's rule
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t.detail);
  curl_multi_add_handle(multi, c);

  bool cancelled = false;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK || running == 0) break;
    if (req.cancel && req.cancel->load()) {
      cancelled = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, 50, nullptr);
  }
  if (cancelled) {
    t.rc = CURLE_ABORTED_BY_CALLBACK;
  } else {
    int queued = 0;
    t.rc = CURLE_GOT_NOTHING;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg == CURLMSG_DONE) t.rc = m->data.result;
    }
  }
  if (t.rc == CURLE_WRITE_ERROR && body->truncated) t.rc = CURLE_OK;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.status);
  curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &t.os_errno);
  char* location = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) t.location = location;
  curl_multi_remove_handle(multi, c);
  curl_easy_cleanup(c);
  curl_multi_cleanup(multi);
  return t;
}

bool IsFollowedRedirect(long code) {
  // Go's client follows these; other 3xx codes come back as the response.
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

}  // namespace

HttpResponse HttpGet(const HttpRequest& req) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  const std::string first_host = PartsOf(req.url).host;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(Headers(req), curl_slist_free_all);
  std::string url = req.url;
  for (int requests = 1;; ++requests) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return HttpResponse{0, "", TransportError(CURLE_OPERATION_TIMEDOUT, 0, url, ""), false};
    Body body;
    Transfer t = Perform(req, url, headers.get(), left, &body);
    if (t.rc != CURLE_OK) return HttpResponse{0, "", TransportError(t.rc, t.os_errno, url, t.detail), false};
    if (IsFollowedRedirect(t.status) && !t.location.empty()) {
      // Kubelet's redirect checker: follow only to the same host name; elsewhere the 3xx is the answer.
      if (PartsOf(t.location).host != first_host) return HttpResponse{t.status, body.data, "", true};
      if (requests >= kMaxRequests) {
        return HttpResponse{0, "", "Get \"" + t.location + "\": stopped after 10 redirects", false};
      }
      url = t.location;
      continue;
    }
    return HttpResponse{t.status, body.data, "", t.status >= 300 && t.status < 400};
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
