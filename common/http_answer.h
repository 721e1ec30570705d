/// HttpAnswerParser: one HTTP/1.1 answer assembled from bytes as they arrive, in bounded memory.
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
//
// What a hostile server sends costs bounded memory: the head is read line by line up to Go's limit for a
// response head (10 MiB, as kubelet's client accepts), keeping at most 64 KiB of header lines plus the
// headers the client needs; a chunk's bytes are taken as they come, whatever size the chunk declares.
// Errors read like Go's net/http client's, for kubelet-like probe messages.
class HttpAnswerParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  static constexpr size_t kMaxHead = 10 << 20;  // Go's Transport.MaxResponseHeaderBytes default

  HttpAnswerParser(size_t max_body, bool truncate) : max_body_(max_body), truncate_(truncate) {}

  // `data`: bytes that arrived; `eof`: the peer closed the connection (data may be empty then).
  State Feed(std::string_view data, bool eof);
  // The answer when Feed returned kDone; the error (error, message) when it returned kError. An error
  // while reading the body (kBody) keeps the status, headers and the body read so far.
  HttpResult& result() { return result_; }
  // The status line and headers are in: a failure from now on is a failure to read the body.
  bool HeadDone() const { return phase_ != Phase::kHead; }
  // The answer as an error to read the body (e.g. a timeout after the head): kBody with `message`.
  HttpResult BodyFailed(std::string message) const;

 private:
  enum class Phase { kHead, kChunkSize, kChunkData, kChunkEnd, kLength, kUntilClose };
  State Error(HttpError e, std::string message);
  State BodyError(std::string message);
  bool Keep(const char* data, size_t n, bool* done);  // false: the cap was exceeded without truncate
  // One line of the head (without its line ending); kNeedMore to go on.
  State HeadLine(std::string_view line);
  State EndOfHead();

  const size_t max_body_;
  const bool truncate_;
  Phase phase_ = Phase::kHead;
  std::string buf_;         // bytes not consumed yet (in the head: the current line, at most kMaxLine)
  size_t line_dropped_ = 0; // kHead: bytes of the current line beyond kMaxLine, not kept
  size_t head_bytes_ = 0;   // kHead: bytes of this answer's head consumed so far
  size_t kept_bytes_ = 0;   // kHead: bytes of header lines kept in result_.headers
  bool status_seen_ = false;
  int interim_ = 0;         // 1xx answers skipped
  bool eof_ = false;
  size_t want_ = 0;         // kLength: body bytes still to come; kChunkData: bytes left of this chunk
  HttpResult result_;
};

// Go's %q of a byte string: printable ASCII and valid UTF-8 as they are, the rest escaped.
std::string GoQuote(std::string_view s);

}  // namespace crilet
