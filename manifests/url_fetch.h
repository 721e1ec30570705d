/// HttpFetch: one GET of a manifest URL (or the status server) over libcurl, cancellable, size-capped.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace crilet::manifests {

struct FetchAnswer {
  long status = 0;      // 0 on a transport failure, with error set
  std::string error;    // a sentence naming the host and the cause
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // of the final answer
  std::string Header(const std::string& name) const;         // case-insensitive; "" when absent
};

// GET with the given headers; redirects are followed (at most 5, like the client this replaced) within one
// overall timeout. A body longer than max_bytes is a failure. Setting *cancel (looked at every 50 ms)
// abandons the request. Certificates are verified.
FetchAnswer FetchUrl(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout, size_t max_bytes, const std::atomic<bool>* cancel);

// FetchUrl for callers that want the status and the body only.
long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error,
               size_t max_bytes = 64 * 1024 * 1024, const std::atomic<bool>* cancel = nullptr);

}  // namespace crilet::manifests
