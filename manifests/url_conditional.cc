// Conditional requests for the manifest URL: validators in, verdicts out, no I/O.
#include "manifests/url_conditional.h"

namespace crilet::manifests {

std::vector<std::pair<std::string, std::string>> ConditionalHeaders(const UrlValidators& held) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!held.etag.empty()) headers.emplace_back("If-None-Match", held.etag);
  if (!held.last_modified.empty()) headers.emplace_back("If-Modified-Since", held.last_modified);
  return headers;
}

UrlVerdict JudgeAnswer(const UrlValidators& sent, long status) {
  if (status == 200) return UrlVerdict::kLoad;
  if (status == 304 && !sent.empty()) return UrlVerdict::kUnchanged;
  return UrlVerdict::kFailed;
}

UrlValidators ValidatorsAfter(const UrlValidators& held, UrlVerdict verdict, bool loaded,
                              const UrlValidators& answered) {
  if (verdict == UrlVerdict::kLoad && loaded) return answered;
  return held;
}

}  // namespace crilet::manifests
