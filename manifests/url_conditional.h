/// The manifest URL's conditional GET: which validators to send, and what an answer means for the pods.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace crilet::manifests {

// The validators of the manifest the URL source's pods were loaded from (ETag and Last-Modified of that
// 200 answer); empty when it gave none, or before a manifest loaded.
struct UrlValidators {
  std::string etag;
  std::string last_modified;
  bool empty() const { return etag.empty() && last_modified.empty(); }
  bool operator==(const UrlValidators&) const = default;
};

// If-None-Match and If-Modified-Since for the validators we hold (both when we have both: a server that
// knows ETags prefers If-None-Match, RFC 9110 13.2.2).
std::vector<std::pair<std::string, std::string>> ConditionalHeaders(const UrlValidators& held);

enum class UrlVerdict {
  kUnchanged,  // 304 to a conditional request: the held pods are still what the URL serves; nothing to parse
  kLoad,       // 200: parse the body
  kFailed,     // anything else (a 304 we did not ask for is a broken server): keep the pods, report it
};
UrlVerdict JudgeAnswer(const UrlValidators& sent, long status);

// The validators to hold after an answer: those of a 200 whose body loaded (the pods now come from it);
// otherwise the held ones, which still describe the pods we keep (so that a 304 after an invalid edit was
// reverted means "the kept pods again").
UrlValidators ValidatorsAfter(const UrlValidators& held, UrlVerdict verdict, bool loaded,
                              const UrlValidators& answered);

}  // namespace crilet::manifests
