// HttpAnswerParser fed in pieces: the same answers whether they arrive at once or byte by byte.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/http_answer.h"

using namespace crilet;
using State = HttpAnswerParser::State;

namespace {

struct Parsed {
  State state = State::kNeedMore;
  HttpResult result;
};

// Feeds `wire` in pieces of `piece` bytes (0: all at once), then the close if `close` is set.
Parsed Parse(const std::string& wire, size_t piece, bool close, size_t max_body = 10, bool truncate = true) {
  HttpAnswerParser p(max_body, truncate);
  Parsed out;
  size_t step = piece == 0 ? wire.size() : piece;
  for (size_t at = 0; at < wire.size() && out.state == State::kNeedMore; at += step) {
    out.state = p.Feed(std::string_view(wire).substr(at, step), false);
  }
  if (out.state == State::kNeedMore && close) out.state = p.Feed("", true);
  out.result = p.result();
  return out;
}

}  // namespace

TEST_CASE("HTTP answer parser: framing, caps and errors, at once or byte by byte", "[http]") {
  struct Row {
    const char* name;
    std::string wire;
    bool close;
    State want;
    int status;
    std::string body;  // or the error message when want == kError
  };
  const std::vector<Row> rows = {
      {"Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, State::kDone, 200, "hello"},
      {"Content-Length still coming", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", false, State::kNeedMore, 200, ""},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false,
       State::kDone, 200, "abcde"},
      {"until the close", "HTTP/1.1 500 Oops\r\n\r\nbroken", true, State::kDone, 500, "broken"},
      {"until the close, not closed yet", "HTTP/1.1 500 Oops\r\n\r\nbroken", false, State::kNeedMore, 500, ""},
      {"100 Continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", false, State::kDone, 204, ""},
      {"body capped and truncated", "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij", false,
       State::kDone, 200, "0123456789"},
      // Go's client texts (net/http ReadResponse, textproto, the chunked reader).
      {"closed without an answer", "", true, State::kError, 0, "EOF"},
      {"closed inside the head", "HTTP/1.1 200 OK\r\nContent-Le", true, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: unexpected EOF"},
      {"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", false, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: malformed HTTP response \"SSH-2.0-OpenSSH\""},
      {"not a status code", "HTTP/1.1 2000 OK\r\n\r\n", false, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: malformed HTTP status code \"2000\""},
      {"not a version", "ICY 200 OK\r\n\r\n", false, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: malformed HTTP version \"ICY\""},
      {"not a header", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: malformed MIME header line: no colon here"},
      {"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, State::kDone, 200, "ok"},
      {"body shorter than its length", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", true, State::kError, 0,
       "unexpected EOF"},
      {"bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false, State::kError, 0,
       "net/http: HTTP/1.x transport connection broken: bad Content-Length \"x\""},
      {"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, State::kError, 0,
       "invalid byte in chunk length"},
      {"chunk without its CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n", false,
       State::kError, 0, "malformed chunked encoding"},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      for (size_t piece : {size_t{0}, size_t{1}, size_t{7}}) {
        INFO("pieces of " << piece << " bytes");
        Parsed p = Parse(row.wire, piece, row.close);
        CHECK(p.state == row.want);
        if (row.want == State::kDone) {
          CHECK(p.result.status == row.status);
          CHECK(p.result.body == row.body);
        }
        if (row.want == State::kError) CHECK(p.result.message == row.body);
      }
    }
  }
}

TEST_CASE("HTTP answer parser: a body over the cap is an error unless truncating", "[http]") {
  Parsed p = Parse("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij", 3, false, 10, false);
  CHECK(p.state == State::kError);
  CHECK(p.result.error == HttpError::kTooLarge);
  CHECK(p.result.message == "answer larger than 10 bytes");
  Parsed t = Parse("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij", 3, false, 10, true);
  CHECK(t.state == State::kDone);
  CHECK(t.result.truncated);
  CHECK(t.result.Header("content-length") == "20");
}
