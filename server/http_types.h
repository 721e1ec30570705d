/// HttpRequest and HttpResponse: one status-server exchange as the routes see it (plain data, no I/O).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace crilet::server {

struct HttpRequest {
  std::string method;                        // as sent: "GET", "HEAD", "POST"...
  std::string path;                          // percent-decoded, without the query: "/pods/default/web"
  std::map<std::string, std::string> query;  // decoded, '+' as space; "?verbose" maps verbose to ""; first wins
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";  // "" sends no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. {"Allow", "GET, HEAD"}
};

}  // namespace crilet::server
