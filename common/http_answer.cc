// The HTTP/1.1 answer parser: the head line by line, then the body by Content-Length, chunks or the close.
#include "common/http_answer.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace crilet {
namespace {

constexpr size_t kMaxLine = 64 * 1024;     // of one head line kept (the rest is counted, not kept)
constexpr size_t kMaxKept = 64 * 1024;     // of header lines kept beyond the ones the client needs
constexpr size_t kMaxChunkLine = 4096;     // Go's chunked reader: a longer size line is "header line too long"
constexpr int kMaxInterim = 5;             // Go's client: at most 5 1xx answers before the final one

// Go prefixes errors of a response it could not read with this (net/http transport.go mapRoundTripError).
const std::string kBroken = "net/http: HTTP/1.x transport connection broken: ";

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// The headers the client itself reads: always kept, whatever the kept budget says.
bool Needed(std::string_view name) {
  for (const char* n : {"Location", "Content-Length", "Transfer-Encoding"}) {
    if (name.size() == strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) return true;
  }
  return false;
}

bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Go's ParseHTTPVersion: "HTTP/1.1", "HTTP/1.0" or "HTTP/X.Y" with one digit each.
bool IsHttpVersion(std::string_view v) {
  if (v == "HTTP/1.1" || v == "HTTP/1.0") return true;
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(v[5])) && v[6] == '.' &&
         std::isdigit(static_cast<unsigned char>(v[7]));
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // A valid UTF-8 sequence is kept as it is; a stray byte is escaped, as Go does.
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      bool valid = len > 0 && i + len <= s.size();
      for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      if (valid) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
    ++i;
  }
  return out + "\"";
}

HttpAnswerParser::State HttpAnswerParser::Error(HttpError e, std::string message) {
  result_ = HttpResult{};
  result_.error = e;
  result_.message = std::move(message);
  return State::kError;
}

HttpAnswerParser::State HttpAnswerParser::BodyError(std::string message) {
  result_.error = HttpError::kBody;
  result_.message = std::move(message);
  return State::kError;
}

HttpResult HttpAnswerParser::BodyFailed(std::string message) const {
  HttpResult r = result_;
  r.error = HttpError::kBody;
  r.message = std::move(message);
  return r;
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

// Go's http.ReadResponse for the status line, then textproto.ReadMIMEHeader for the header lines.
HttpAnswerParser::State HttpAnswerParser::HeadLine(std::string_view line) {
  if (!status_seen_) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Error(HttpError::kProtocol, kBroken + "malformed HTTP response " + GoQuote(line));
    std::string_view proto = line.substr(0, sp);
    std::string_view status = line.substr(sp + 1);
    status.remove_prefix(std::min(status.find_first_not_of(' '), status.size()));
    std::string_view code = status.substr(0, status.find(' '));
    if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return Error(HttpError::kProtocol, kBroken + "malformed HTTP status code " + GoQuote(code));
    }
    if (!IsHttpVersion(proto)) return Error(HttpError::kProtocol, kBroken + "malformed HTTP version " + GoQuote(proto));
    result_.status = std::stoi(std::string(code));
    result_.headers.clear();
    kept_bytes_ = 0;
    status_seen_ = true;
    return State::kNeedMore;
  }
  if (line.empty()) return EndOfHead();
  if (line[0] == ' ' || line[0] == '\t') {
    // An obsolete folded continuation of the previous header's value.
    if (result_.headers.empty()) return Error(HttpError::kProtocol, kBroken + "malformed MIME header initial line: " + std::string(line));
    std::string more = Trim(line);
    if (kept_bytes_ + more.size() <= kMaxKept) {
      result_.headers.back().second += " " + more;
      kept_bytes_ += more.size() + 1;
    }
    return State::kNeedMore;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::all_of(line.begin(), line.begin() + colon, [](char c) { return IsTokenChar(static_cast<unsigned char>(c)); })) {
    return Error(HttpError::kProtocol, kBroken + "malformed MIME header line: " + std::string(line));
  }
  std::string_view name = line.substr(0, colon);
  bool needed = Needed(name);
  if (needed) {
    // One of each is enough: a server repeating them cannot grow the kept list past the budget.
    for (const auto& [k, v] : result_.headers) {
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0 && kept_bytes_ + line.size() > kMaxKept) return State::kNeedMore;
    }
  }
  if (needed || kept_bytes_ + line.size() <= kMaxKept) {
    result_.headers.emplace_back(std::string(name), Trim(line.substr(colon + 1)));
    kept_bytes_ += line.size();
  }
  return State::kNeedMore;
}

HttpAnswerParser::State HttpAnswerParser::EndOfHead() {
  status_seen_ = false;
  head_bytes_ = 0;
  // 1xx interim answers (100 Continue) are skipped, as Go's client does, up to its limit of 5.
  if (result_.status >= 100 && result_.status < 200 && result_.status != 101) {
    if (++interim_ > kMaxInterim) return Error(HttpError::kProtocol, kBroken + "too many 1xx informational responses");
    return State::kNeedMore;
  }
  if (result_.status == 204 || result_.status == 304) return State::kDone;
  std::string te = result_.Header("Transfer-Encoding");
  std::string cl = result_.Header("Content-Length");
  if (strcasestr(te.c_str(), "chunked")) {
    phase_ = Phase::kChunkSize;
  } else if (!cl.empty()) {
    if (cl.size() > 19 || !std::all_of(cl.begin(), cl.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return Error(HttpError::kProtocol, kBroken + "bad Content-Length " + GoQuote(cl));
    }
    want_ = std::stoull(cl);
    phase_ = Phase::kLength;
  } else {
    phase_ = Phase::kUntilClose;
  }
  return State::kNeedMore;
}

HttpAnswerParser::State HttpAnswerParser::Feed(std::string_view data, bool eof) {
  eof_ = eof_ || eof;
  const std::string too_large = "answer larger than " + std::to_string(max_body_) + " bytes";
  bool done = false;
  // The head keeps at most one line in buf_: take `data` in lines, counting what is not kept.
  while (phase_ == Phase::kHead) {
    size_t nl = data.find('\n');
    std::string_view piece = data.substr(0, nl == std::string_view::npos ? data.size() : nl);
    size_t room = kMaxLine - std::min(kMaxLine, buf_.size());
    buf_.append(piece.substr(0, room));
    line_dropped_ += piece.size() - std::min(room, piece.size());
    if (head_bytes_ + buf_.size() + line_dropped_ > kMaxHead) {
      return Error(HttpError::kProtocol,
                   kBroken + "net/http: server response headers exceeded " + std::to_string(kMaxHead) + " bytes; aborted");
    }
    if (nl == std::string_view::npos) {
      data = {};
      if (!eof_) return State::kNeedMore;
      if (!status_seen_ && buf_.empty() && head_bytes_ == 0) return Error(HttpError::kProtocol, "EOF");
      if (status_seen_ || buf_.empty()) return Error(HttpError::kProtocol, kBroken + "unexpected EOF");
      // A last line without its end: Go still parses it, so garbage reads as garbage.
    } else {
      data.remove_prefix(nl + 1);
    }
    head_bytes_ += buf_.size() + line_dropped_ + (nl == std::string_view::npos ? 0 : 1);
    std::string line = std::move(buf_);
    buf_.clear();
    line_dropped_ = 0;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    State s = HeadLine(line);
    if (s != State::kNeedMore) return s;
    if (nl == std::string_view::npos && phase_ == Phase::kHead) {
      return Error(HttpError::kProtocol, kBroken + "unexpected EOF");  // closed inside the head
    }
  }
  buf_.append(data);
  for (;;) {
    switch (phase_) {
      case Phase::kHead:
        return State::kNeedMore;  // not reached: the loop above leaves the head behind
      case Phase::kChunkSize: {
        size_t eol = buf_.find('\n');
        if (eol == std::string::npos) {
          if (buf_.size() >= kMaxChunkLine) return BodyError("header line too long");
          if (eof_) return BodyError("unexpected EOF");
          return State::kNeedMore;
        }
        if (eol >= kMaxChunkLine) return BodyError("header line too long");
        std::string line = buf_.substr(0, eol);
        buf_.erase(0, eol + 1);
        if (size_t semi = line.find(';'); semi != std::string::npos) line.erase(semi);  // chunk extensions
        line = Trim(line);
        // Go's parseHexUint: hex digits only, at most 16 of them.
        if (line.empty()) return BodyError("empty hex number for chunk length");
        if (line.size() > 16) return BodyError("http chunk length too large");
        if (!std::all_of(line.begin(), line.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
          return BodyError("invalid byte in chunk length");
        }
        want_ = std::stoull(line, nullptr, 16);
        if (want_ == 0) return State::kDone;  // the trailer, if any, is not needed
        phase_ = Phase::kChunkData;
        continue;
      }
      case Phase::kChunkData: {
        // A chunk's bytes are kept as they come: a chunk declared a terabyte long costs no more than 10 KiB.
        size_t take = std::min<size_t>(want_, buf_.size());
        if (!Keep(buf_.data(), take, &done)) return Error(HttpError::kTooLarge, too_large);
        if (done) return State::kDone;
        want_ -= take;
        buf_.erase(0, take);
        if (want_ == 0) {
          phase_ = Phase::kChunkEnd;
          continue;
        }
        if (eof_) return BodyError("unexpected EOF");
        return State::kNeedMore;
      }
      case Phase::kChunkEnd: {
        if (buf_.size() < 2) {
          if (eof_) return BodyError("unexpected EOF");
          return State::kNeedMore;
        }
        if (buf_.compare(0, 2, "\r\n") != 0) return BodyError("malformed chunked encoding");
        buf_.erase(0, 2);
        phase_ = Phase::kChunkSize;
        continue;
      }
      case Phase::kLength: {
        size_t take = std::min<size_t>(want_, buf_.size());
        if (!Keep(buf_.data(), take, &done)) return Error(HttpError::kTooLarge, too_large);
        want_ -= take;
        buf_.clear();
        if (done || want_ == 0) return State::kDone;
        if (eof_) return BodyError("unexpected EOF");
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
