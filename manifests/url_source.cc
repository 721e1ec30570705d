// Polling a manifest URL.
#include "manifests/url_source.h"

#include <spdlog/spdlog.h>

#include "manifests/loader.h"
#include "manifests/parser.h"

namespace crilet::manifests {

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
  auto headers = options_.headers;
  for (auto& h : ConditionalHeaders(validators_)) headers.push_back(std::move(h));
  // kubelet's http source: GET with a 10 s timeout. Bodies over the manifest limit are refused while downloading.
  FetchAnswer answer = FetchUrl(options_.url, headers, std::chrono::seconds(10), kMaxManifestBytes, &stop_);
  if (stop_) return;
  const UrlVerdict verdict = JudgeAnswer(validators_, answer.status);
  FileState next = state_;
  next.errors.clear();
  next.warnings.clear();
  bool loaded = false;
  if (verdict == UrlVerdict::kFailed) {
    std::string why = answer.status == 0 ? answer.error : "HTTP status " + std::to_string(answer.status);
    next.errors.push_back(FieldError{options_.url, 0, "", "cannot fetch manifests: " + why + " (keeping the last pods)"});
  } else if (verdict == UrlVerdict::kLoad) {
    LoadOptions lo;
    lo.node_name = options_.node_name;
    lo.source = PodSource{"http", options_.url, 0};
    LoadResult r = LoadManifest(answer.body, lo);
    next.errors = r.errors;
    next.warnings = r.warnings;
    if (r.errors.empty()) {
      loaded = true;
      loaded_warnings_ = next.warnings;
      next.pods = std::move(r.pods);
      next.objects = std::move(r.objects);
      next.ever_valid = true;
    } else {
      for (auto& e : next.errors) e.message += " (keeping the last pods)";
    }
  } else {  // kUnchanged: the pods stand as loaded; the problems of failed polls since then are cleared
    next.warnings = loaded_warnings_;
  }
  validators_ = ValidatorsAfter(validators_, verdict, loaded,
                                UrlValidators{answer.Header("ETag"), answer.Header("Last-Modified")});
  bool changed = next.pods != state_.pods || !(next.objects == state_.objects) || next.errors.size() != state_.errors.size();
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
