/// HTTP/1.1 messages for HttpServer: request and response structs, head parsing, response formatting (no I/O).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crilet::server {

struct HttpServerRequest {
  std::string method;                        // as sent: "GET", "HEAD", "POST"...
  std::string path;                          // percent-decoded, without the query: "/pods/default/web"
  std::map<std::string, std::string> query;  // decoded, '+' as space; "?verbose" maps verbose to ""; first wins
  int listener = 0;                          // the HttpServer::Listen call (0 = first) whose socket accepted it
};

struct HttpServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";  // "" sends no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. {"Allow", "GET, HEAD"}
};

// Returns the offset just past the blank line ending the request head in `data` ("\r\n\r\n", or "\n\n" from a
// lenient client), or 0 while the head is incomplete.
size_t FindHeadEnd(std::string_view data);

// What the bytes of a request received so far say: wait for more, the head is complete (`end` bytes long), or
// the request is refused with `status` (400, 414, 431) and a `problem` for the answer's body. Refuses as soon as
// the bytes show it (a request line that cannot be HTTP, binary garbage), so a broken client gets its answer
// without the server holding the connection until the head would end.
struct HeadCheck {
  enum class Kind { kIncomplete, kComplete, kRefused };
  Kind kind = Kind::kIncomplete;
  size_t end = 0;
  int status = 0;
  const char* problem = "";
};
// `max_head_bytes` bounds the request line (414 past it) and the whole head (431 past it).
HeadCheck CheckHead(std::string_view data, size_t max_head_bytes);

// Parses the request line of `head` ("GET /pods?x=1 HTTP/1.1"); header lines are not needed and are skipped.
// False for a malformed line, a version other than HTTP/1.0 or 1.1, or a target that is not a path.
bool ParseRequestHead(std::string_view head, HttpServerRequest* out);

// "%2F" -> "/"; with plus_as_space (query strings), '+' -> ' '. A broken escape is kept as written.
std::string PercentDecode(std::string_view s, bool plus_as_space);

// "a=1&b=hello%20world&verbose" -> {a: "1", b: "hello world", verbose: ""}.
std::map<std::string, std::string> ParseQuery(std::string_view query);

// "Not Found" for 404; "Unknown" for a code it does not know.
const char* ReasonPhrase(int status);

// The status line and headers (with Content-Length of the body and Connection: close), ending in the blank line.
std::string FormatResponseHead(const HttpServerResponse& response);

}  // namespace crilet::server
