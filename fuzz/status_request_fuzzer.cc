// libFuzzer target: any bytes a client sends the status server, through CheckHead and ParseRequestHead (as
// HttpServer calls them, on every prefix a read could deliver), give a verdict, never a crash or a hang; a head
// CheckHead accepts parses, and the answer head a handler's fields make never lets a header break out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http_message.h"

using crilet::server::HeadCheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr size_t kMax = 1024;  // small, so the 414 and 431 edges are within the fuzzer's reach
  // The server checks after every read; a verdict once given must not depend on bytes that come later.
  HeadCheck first;
  size_t first_at = 0;
  for (size_t n = 1; n <= in.size(); n += 1 + n / 8) {
    HeadCheck c = crilet::server::CheckHead(in.substr(0, n), kMax);
    if (c.kind != HeadCheck::Kind::kIncomplete) {
      first = c;
      first_at = n;
      break;
    }
  }
  HeadCheck all = crilet::server::CheckHead(in, kMax);
  if (first_at > 0 && (all.kind != first.kind || all.status != first.status ||
                       (all.kind == HeadCheck::Kind::kComplete && all.end != first.end))) {
    __builtin_trap();
  }
  if (all.kind == HeadCheck::Kind::kComplete) {
    if (all.end == 0 || all.end > in.size() || all.end > kMax) __builtin_trap();
    crilet::server::HttpServerRequest req;
    if (!crilet::server::ParseRequestHead(in.substr(0, all.end), &req)) __builtin_trap();
    if (req.method.empty() || req.path.empty() || req.path[0] != '/') __builtin_trap();
    // A handler may echo the request into its answer (a 404 naming the path, a header).
    crilet::server::HttpServerResponse res;
    res.content_type = req.path;
    res.headers.emplace_back(req.method, req.path);
    for (const auto& [k, v] : req.query) res.headers.emplace_back(k, v);
    std::string head = crilet::server::FormatResponseHead(res);
    if (head.find("\r\n\r\n") != head.size() - 4) __builtin_trap();
    for (size_t i = 0; i < head.size(); i++) {
      if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) __builtin_trap();
      if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) __builtin_trap();
    }
  } else if (all.kind == HeadCheck::Kind::kRefused) {
    if (all.status != 400 && all.status != 414 && all.status != 431) __builtin_trap();
  }
  (void)crilet::server::FindHeadEnd(in);
  (void)crilet::server::ParseQuery(in);
  return 0;
}
