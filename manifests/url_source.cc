// Polling a manifest URL.
#include "manifests/url_source.h"

#include <spdlog/spdlog.h>

#include <cstring>

#include "common/http_client.h"
#include "manifests/loader.h"
#include "manifests/parser.h"

namespace crilet::manifests {

long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error, size_t max_bytes,
               const std::atomic<bool>* cancel) {
  constexpr int kMaxRedirects = 5;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpGetOptions o;
  o.headers = headers;
  o.headers.emplace_back("Connection", "close");
  o.max_body = max_bytes;
  o.truncate = false;
  o.verify_tls = true;
  o.cancel = cancel;
  std::string target = url;
  for (int redirects = 0;; ++redirects) {
    Url u;
    if (!ParseUrl(target, &u, error)) return 0;
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    HttpResult r;
    r.error = HttpError::kTimeout;
    if (o.timeout.count() > 0) r = HttpGetOnce(u, o);
    switch (r.error) {
      case HttpError::kNone: break;
      case HttpError::kTimeout: *error = "no answer from " + u.HostPort() + " within " + std::to_string(timeout.count()) + " ms"; return 0;
      case HttpError::kCancelled: *error = "cancelled"; return 0;
      case HttpError::kResolve: *error = "lookup " + u.host + ": " + r.message; return 0;
      case HttpError::kConnect:
        *error = "connect to " + u.HostPort() + ": " + (r.os_errno ? std::strerror(r.os_errno) : r.message);
        return 0;
      case HttpError::kTooLarge: *error = r.message; return 0;
      default: *error = u.HostPort() + ": " + r.message; return 0;
    }
    std::string location = r.Header("Location");
    if (IsFollowedRedirect(r.status) && !location.empty()) {
      if (redirects == kMaxRedirects) {
        *error = "more than " + std::to_string(kMaxRedirects) + " redirects";
        return 0;
      }
      target = ResolveLocation(u, location);
      continue;
    }
    *body = std::move(r.body);
    return r.status;
  }
}

UrlSource::UrlSource(Options options, std::function<void(const FileState&)> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {}

UrlSource::~UrlSource() { Stop(); }

void UrlSource::Start() {
  FetchOnce();
  thread_ = std::thread([this] { Run(); });
}

void UrlSource::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UrlSource::Rescan() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void UrlSource::FetchOnce() {
  std::string body, error;
  // kubelet's http source: GET with a 10 s timeout. Bodies over the manifest limit are refused while downloading.
  long code = HttpFetch(options_.url, options_.headers, std::chrono::seconds(10), &body, &error,
                        kMaxManifestBytes, &stop_);
  if (stop_) return;
  FileState next = state_;
  next.errors.clear();
  next.warnings.clear();
  if (code != 200) {
    std::string why = code == 0 ? error : "HTTP status " + std::to_string(code);
    next.errors.push_back(FieldError{options_.url, 0, "", "cannot fetch manifests: " + why + " (keeping the last pods)"});
  } else {
    LoadOptions lo;
    lo.node_name = options_.node_name;
    lo.source = PodSource{"http", options_.url, 0};
    LoadResult r = LoadManifest(body, lo);
    next.errors = r.errors;
    next.warnings = r.warnings;
    if (r.errors.empty()) {
      next.pods = std::move(r.pods);
      next.ever_valid = true;
    } else {
      for (auto& e : next.errors) e.message += " (keeping the last pods)";
    }
  }
  bool changed = next.pods != state_.pods || next.errors.size() != state_.errors.size();
  for (size_t i = 0; !changed && i < next.errors.size(); ++i) changed = next.errors[i].ToString() != state_.errors[i].ToString();
  if (changed) {  // a URL that keeps failing the same way is logged once, and stays in Problems()
    for (const auto& e : next.errors) spdlog::error("{}", e.ToString());
  }
  state_ = std::move(next);
  if (changed && on_change_) on_change_(state_);
}

void UrlSource::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, options_.period, [&] { return stop_.load() || wake_; });
      if (stop_) return;
      wake_ = false;
    }
    FetchOnce();
  }
}

}  // namespace crilet::manifests
