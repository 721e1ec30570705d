// The HTTP/1.1 answer parser: head, then the body by Content-Length, chunks or the close.
#include "common/http_answer.h"

#include <string.h>

#include <algorithm>
#include <cctype>

namespace crilet {
namespace {

constexpr size_t kMaxHead = 64 * 1024;  // status line and headers of one answer

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool ParseHead(const std::string& head, HttpResult* r) {
  size_t eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12 || line[8] != ' ') return false;
  for (size_t i = 9; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return false;
  }
  r->status = std::stoi(line.substr(9, 3));
  r->headers.clear();
  size_t pos = eol == std::string::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string h = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    r->headers.emplace_back(h.substr(0, colon), Trim(h.substr(colon + 1)));
  }
  return true;
}

}  // namespace

HttpAnswerParser::State HttpAnswerParser::Error(HttpError e, std::string message) {
  result_ = HttpResult{};
  result_.error = e;
  result_.message = std::move(message);
  return State::kError;
}

bool HttpAnswerParser::Keep(const char* data, size_t n, bool* done) {
  size_t room = max_body_ - result_.body.size();
  if (n <= room) {
    result_.body.append(data, n);
    return true;
  }
  if (!truncate_) return false;
  result_.body.append(data, room);  // like kubelet's ReadAtMost: keep the cap and stop reading
  result_.truncated = true;
  *done = true;
  return true;
}

HttpAnswerParser::State HttpAnswerParser::Feed(std::string_view data, bool eof) {
  buf_.append(data);
  eof_ = eof_ || eof;
  const std::string too_large = "answer larger than " + std::to_string(max_body_) + " bytes";
  bool done = false;
  for (;;) {
    switch (phase_) {
      case Phase::kHead: {
        size_t blank = buf_.find("\r\n\r\n");
        if (blank == std::string::npos) {
          if (buf_.size() > kMaxHead) return Error(HttpError::kProtocol, "response headers larger than 64 KiB");
          if (eof_) {
            return Error(HttpError::kProtocol, buf_.empty() ? "EOF (the server closed the connection without answering)"
                                                            : "malformed HTTP response");
          }
          return State::kNeedMore;
        }
        if (!ParseHead(buf_.substr(0, blank), &result_)) return Error(HttpError::kProtocol, "malformed HTTP response");
        buf_.erase(0, blank + 4);
        // 1xx interim answers (100 Continue) are skipped, as Go's client does.
        if (result_.status >= 100 && result_.status < 200 && result_.status != 101) continue;
        if (result_.status == 204 || result_.status == 304) return State::kDone;
        std::string te = result_.Header("Transfer-Encoding");
        std::string cl = result_.Header("Content-Length");
        if (strcasestr(te.c_str(), "chunked")) {
          phase_ = Phase::kChunked;
        } else if (!cl.empty()) {
          try {
            want_ = std::stoul(cl);
          } catch (const std::exception&) {
            return Error(HttpError::kProtocol, "invalid Content-Length \"" + cl + "\"");
          }
          phase_ = Phase::kLength;
        } else {
          phase_ = Phase::kUntilClose;
        }
        continue;
      }
      case Phase::kChunked: {
        size_t eol = buf_.find("\r\n");
        if (eol != std::string::npos) {
          size_t size = 0;
          try {
            size = std::stoul(buf_.substr(0, eol), nullptr, 16);
          } catch (const std::exception&) {
            return Error(HttpError::kProtocol, "malformed chunked encoding");
          }
          if (size == 0) return State::kDone;  // the trailer, if any, is not needed
          if (buf_.size() >= eol + 2 + size + 2) {
            if (!Keep(buf_.data() + eol + 2, size, &done)) return Error(HttpError::kTooLarge, too_large);
            if (done) return State::kDone;
            buf_.erase(0, eol + 2 + size + 2);
            continue;
          }
        }
        if (eof_) return Error(HttpError::kProtocol, "unexpected EOF in a chunked body");
        return State::kNeedMore;
      }
      case Phase::kLength: {
        size_t take = std::min(want_, buf_.size());
        if (!Keep(buf_.data(), take, &done)) return Error(HttpError::kTooLarge, too_large);
        want_ -= take;
        buf_.clear();
        if (done || want_ == 0) return State::kDone;
        if (eof_) return Error(HttpError::kProtocol, "unexpected EOF: the body is shorter than its Content-Length");
        return State::kNeedMore;
      }
      case Phase::kUntilClose: {
        if (!Keep(buf_.data(), buf_.size(), &done)) return Error(HttpError::kTooLarge, too_large);
        buf_.clear();
        return done || eof_ ? State::kDone : State::kNeedMore;
      }
    }
  }
}

}  // namespace crilet
