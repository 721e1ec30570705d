// HTTP/1.1 request-head parsing and response-head formatting for HttpServer.
#include "server/http_message.h"

#include <algorithm>
#include <cstring>

namespace crilet::server {
namespace {

// RFC 9110 token characters, the alphabet of a method name.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Control characters other than HT, which no request line or header value may hold (RFC 9110 5.5).
bool IsControl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }

// A partial request line that can still become valid: a method of token characters, then no control bytes.
bool PlausibleLineStart(std::string_view partial) {
  size_t sp = partial.find(' ');
  std::string_view method = partial.substr(0, sp);
  for (char c : method) {
    if (!IsTokenChar(c)) return false;
  }
  if (sp == std::string_view::npos) return true;
  for (char c : partial.substr(sp)) {
    if (IsControl(c) && c != '\r') return false;
  }
  return true;
}

// Header lines ("Name: value", each ending in LF or CRLF) up to the blank line: a token name directly before
// the colon (RFC 9112 5.1: whitespace there must get 400), no obsolete line folding, no control bytes.
bool ValidHeaderLines(std::string_view lines) {
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return true;  // the blank line ending the head
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    for (char c : line.substr(0, colon)) {
      if (!IsTokenChar(c)) return false;
    }
    for (char c : line.substr(colon + 1)) {
      if (IsControl(c)) return false;
    }
  }
  return true;
}

// A header value must not end the header early.
bool SafeHeaderText(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

size_t FindHeadEnd(std::string_view data) {
  size_t crlf = data.find("\r\n\r\n");
  size_t lf = data.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) return crlf + 4;
  if (lf != std::string_view::npos) return lf + 2;
  return 0;
}

HeadCheck CheckHead(std::string_view data, size_t max_head_bytes) {
  HeadCheck check;
  auto refuse = [&](int status, const char* problem) {
    check.kind = HeadCheck::Kind::kRefused;
    check.status = status;
    check.problem = problem;
    return check;
  };
  // Only the first max_head_bytes of the request line are looked at: garbage in them is 400, a longer line
  // 414, so the verdict never depends on bytes the server does not read.
  size_t nl = data.find('\n');
  size_t line_end = std::min(nl == std::string_view::npos ? data.size() : nl, max_head_bytes);
  if (!PlausibleLineStart(data.substr(0, line_end))) return refuse(400, "malformed request line");
  if (line_end == max_head_bytes) return refuse(414, "request line too long");
  if (nl == std::string_view::npos) return check;
  HttpServerRequest ignored;
  if (!ParseRequestHead(data.substr(0, nl + 1), &ignored)) return refuse(400, "malformed request line");
  size_t end = FindHeadEnd(data);
  if (end > max_head_bytes || (end == 0 && data.size() >= max_head_bytes)) {
    return refuse(431, "request header fields too large");
  }
  if (end == 0) return check;
  if (!ValidHeaderLines(data.substr(nl + 1, end - nl - 1))) return refuse(400, "malformed header line");
  check.kind = HeadCheck::Kind::kComplete;
  check.end = end;
  return check;
}

bool ParseRequestHead(std::string_view head, HttpServerRequest* out) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return false;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty()) return false;
  for (char c : method) {
    if (!IsTokenChar(c)) return false;
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  // Absolute form ("GET http://host:10255/pods HTTP/1.1"), which HTTP/1.1 servers must accept.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.substr(0, scheme.size()) == scheme) {
      size_t slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  if (target.empty() || target[0] != '/') return false;
  target = target.substr(0, target.find('#'));
  size_t q = target.find('?');
  out->method = std::string(method);
  out->path = PercentDecode(target.substr(0, q), false);
  out->query = q == std::string_view::npos ? std::map<std::string, std::string>{} : ParseQuery(target.substr(q + 1));
  return true;
}

std::string PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (plus_as_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    if (key.empty()) continue;
    out.emplace(std::move(key), eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
  }
  return out;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

std::string FormatResponseHead(const HttpServerResponse& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  if (!response.content_type.empty() && SafeHeaderText(response.content_type)) {
    head += "Content-Type: " + response.content_type + "\r\n";
  }
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value)) continue;
    head += name + ": " + value + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  return head;
}

}  // namespace crilet::server
