// libFuzzer target: any bytes an HTTP server sends, in any pieces, through HttpAnswerParser give an answer or an
// error, never a crash, a hang, a read past the input or a body over the cap.
//
// Input: 2 control bytes, then the server's bytes. Control byte 0: bit 0 truncate, bits 1-7 the body cap in
// units of 64 bytes (0-8128); control byte 1 seeds how the bytes are cut into pieces (as reads would cut them).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/http_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool truncate = data[0] & 1;
  const size_t max_body = static_cast<size_t>(data[0] >> 1) * 64;
  uint32_t cut = data[1] * 2654435761u + 1;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);

  crilet::HttpAnswerParser parser(max_body, truncate);
  auto state = crilet::HttpAnswerParser::State::kNeedMore;
  while (!rest.empty() && state == crilet::HttpAnswerParser::State::kNeedMore) {
    cut = cut * 1103515245u + 12345u;
    size_t n = std::min<size_t>(rest.size(), 1 + (cut >> 16) % 512);
    state = parser.Feed(rest.substr(0, n), false);
    rest.remove_prefix(n);
  }
  if (state == crilet::HttpAnswerParser::State::kNeedMore) state = parser.Feed({}, true);
  // After the close there is nothing more to wait for.
  if (state == crilet::HttpAnswerParser::State::kNeedMore) __builtin_trap();
  const crilet::HttpResult& r = parser.result();
  if (state == crilet::HttpAnswerParser::State::kDone) {
    if (r.error != crilet::HttpError::kNone || r.body.size() > max_body) __builtin_trap();
    if (r.truncated && !truncate) __builtin_trap();
    if (r.status < 0 || r.status > 999) __builtin_trap();  // three digits, any of them (as Go reads them)
  } else if (r.error == crilet::HttpError::kNone || r.message.empty()) {
    __builtin_trap();  // an error says what went wrong
  }
  return 0;
}
