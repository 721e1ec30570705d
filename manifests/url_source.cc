// Polling a manifest URL.
#include "manifests/url_source.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "manifests/loader.h"
#include "manifests/parser.h"

namespace crilet::manifests {
namespace {

struct Sink {
  std::string* body;
  size_t max_bytes;
  bool too_big = false;
};

size_t Append(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->body->size() + size * n > sink->max_bytes) {
    sink->too_big = true;
    return 0;  // curl aborts the transfer
  }
  sink->body->append(data, size * n);
  return size * n;
}

}  // namespace

long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error, size_t max_bytes,
               const std::atomic<bool>* cancel) {
  CURL* curl = curl_easy_init();
  CURLM* multi = curl_multi_init();
  if (!curl || !multi) {
    if (curl) curl_easy_cleanup(curl);
    if (multi) curl_multi_cleanup(multi);
    *error = "cannot initialise libcurl";
    return 0;
  }
  Sink sink{body, max_bytes};
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // The multi interface lets the loop below give up at once when the source is stopped.
  curl_multi_add_handle(multi, curl);
  CURLcode rc = CURLE_OK;
  bool cancelled = false;
  for (int running = 1; running;) {
    if (CURLMcode mc = curl_multi_perform(multi, &running); mc != CURLM_OK) {
      *error = curl_multi_strerror(mc);
      rc = CURLE_FAILED_INIT;
      break;
    }
    if (!running) break;
    if (cancel && cancel->load()) {
      cancelled = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, 50, nullptr);
  }
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  }
  long code = 0;
  if (cancelled) {
    *error = "cancelled";
  } else if (sink.too_big) {
    *error = "answer larger than " + std::to_string(max_bytes) + " bytes";
  } else if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  } else if (error->empty()) {
    *error = curl_easy_strerror(rc);
  }
  curl_multi_remove_handle(multi, curl);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  curl_multi_cleanup(multi);
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
