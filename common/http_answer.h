/// HttpAnswerParser: one HTTP/1.1 answer assembled from bytes as they arrive, with the body capped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/http_client.h"

namespace crilet {

// Feed it what the connection delivers, in any pieces; it says when the answer is complete. Handles 1xx
// interim answers (skipped), 204/304 (no body), Content-Length, chunked bodies and bodies that end with the
// close. Keeps at most max_body bytes of body: with `truncate` it stops there (done, truncated set, as
// kubelet's ReadAtMost), without it a longer body is an error. No I/O, so a caller that must not block can
// drive it from its own poll loop, and the blocking client drives it from its reads.
class HttpAnswerParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  HttpAnswerParser(size_t max_body, bool truncate) : max_body_(max_body), truncate_(truncate) {}

  // `data`: bytes that arrived; `eof`: the peer closed the connection (data may be empty then).
  State Feed(std::string_view data, bool eof);
  // The answer when Feed returned kDone; the error (error, message) when it returned kError.
  HttpResult& result() { return result_; }

 private:
  enum class Phase { kHead, kChunked, kLength, kUntilClose };
  State Error(HttpError e, std::string message);
  bool Keep(const char* data, size_t n, bool* done);  // false: the cap was exceeded without truncate

  const size_t max_body_;
  const bool truncate_;
  Phase phase_ = Phase::kHead;
  std::string buf_;  // bytes not consumed yet
  bool eof_ = false;
  size_t want_ = 0;  // kLength: body bytes still to come
  HttpResult result_;
};

}  // namespace crilet
