// libcurl-based HTTP probe.
#include "probes/http_prober.h"

#include <curl/curl.h>
#include <strings.h>

#include <memory>

namespace crilet::probes {
namespace {

constexpr size_t kMaxBody = 10 * 1024;

struct Body {
  std::string data;
};

size_t Collect(char* ptr, size_t size, size_t n, void* user) {
  auto* b = static_cast<Body*>(user);
  size_t room = kMaxBody - std::min(kMaxBody, b->data.size());
  b->data.append(ptr, std::min(room, size * n));
  return size * n;  // keep the transfer going; the surplus is dropped
}

std::string HostOf(const std::string& url) {
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) return "";
  std::string out = host;
  curl_free(host);
  return out;
}

}  // namespace

HttpResponse HttpGet(const HttpRequest& req) {
  std::string url = req.url;
  const std::string first_host = HostOf(url);
  for (int redirects = 0;; ++redirects) {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return HttpResponse{0, "", "cannot initialise libcurl", false};
    curl_slist* headers = nullptr;
    bool agent = false, accept = false;
    for (const auto& h : req.headers) {
      if (strcasecmp(h.name.c_str(), "User-Agent") == 0) agent = true;
      if (strcasecmp(h.name.c_str(), "Accept") == 0) accept = true;
      std::string line;
      if (!h.value.empty()) {
        line = h.name + ": " + h.value;
      } else if (strcasecmp(h.name.c_str(), "Accept") == 0) {
        line = h.name + ":";  // curl: "Name:" removes the header; kubelet drops an empty Accept
      } else {
        line = h.name + ";";  // curl: "Name;" sends the header with an empty value
      }
      headers = curl_slist_append(headers, line.c_str());
    }
    if (!agent) headers = curl_slist_append(headers, ("User-Agent: " + req.user_agent).c_str());
    if (!accept) headers = curl_slist_append(headers, "Accept: */*");
    headers = curl_slist_append(headers, "Connection: close");
    Body body;
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string why = rc == CURLE_OPERATION_TIMEDOUT
                            ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                            : curl_easy_strerror(rc);
      return HttpResponse{0, "", "Get \"" + url + "\": " + why, false};
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300 && code < 400) {
      char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
      if (location && redirects < 10 && HostOf(location) == first_host) {
        url = location;
        continue;
      }
      return HttpResponse{code, body.data, "", true};
    }
    return HttpResponse{code, body.data, "", false};
  }
}

ProbeOutcome HttpProbe(const HttpRequest& req) {
  HttpResponse r = HttpGet(req);
  if (r.status == 0) return ProbeOutcome{Result::kFailure, r.transport_error, false, false};
  if (r.status >= 200 && r.status < 300) return ProbeOutcome{Result::kSuccess, r.body, false, false};
  if (r.status >= 300 && r.status < 400) {
    // Not followed (another host, or too many): kubelet counts it a success with a warning.
    return ProbeOutcome{Result::kSuccess, "Probe terminated redirects, Response body: " + r.body, false, true};
  }
  return ProbeOutcome{Result::kFailure, "HTTP probe failed with statuscode: " + std::to_string(r.status), false, false};
}

}  // namespace crilet::probes
