// Polling a manifest URL.
#include "manifests/url_source.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "manifests/loader.h"
#include "manifests/parser.h"

namespace crilet::manifests {
namespace {

size_t Append(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > kMaxManifestBytes + 1) return 0;  // refuse huge bodies: curl aborts
  body->append(data, size * n);
  return size * n;
}

}  // namespace

long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    *error = "cannot initialise libcurl";
    return 0;
  }
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  } else {
    *error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return code;
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
  long code = HttpFetch(options_.url, options_.headers, std::chrono::seconds(10), &body, &error);
  FileState next = state_;
  next.errors.clear();
  next.warnings.clear();
  if (code != 200) {
    std::string why = code == 0 ? error : "HTTP status " + std::to_string(code);
    next.errors.push_back(FieldError{options_.url, 0, "", "cannot fetch manifests: " + why + " (keeping the last pods)"});
  } else if (body.size() > kMaxManifestBytes) {
    next.errors.push_back(FieldError{options_.url, 0, "", "answer larger than the manifest limit (keeping the last pods)"});
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
    }
  }
  bool changed = next.pods != state_.pods || next.errors.size() != state_.errors.size();
  for (size_t i = 0; !changed && i < next.errors.size(); ++i) changed = next.errors[i].ToString() != state_.errors[i].ToString();
  if (changed || !state_.ever_valid) {
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
