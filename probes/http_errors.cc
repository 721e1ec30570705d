// libcurl's failure kinds and errno mapped to the sentences Go's net/http client (and so kubelet) prints.
#include "probes/http_errors.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>

#include "common/go_quote.h"
#include "common/status.h"

namespace crilet::probes {
namespace {

// Go prefixes errors of a response it could not read with this (net/http transport.go mapRoundTripError).
const std::string kBroken = "net/http: HTTP/1.x transport connection broken: ";

// Go's ParseHTTPVersion: "HTTP/1.1", "HTTP/1.0" or "HTTP/X.Y" with one digit each.
bool IsHttpVersion(std::string_view v) {
  if (v == "HTTP/1.1" || v == "HTTP/1.0") return true;
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(v[5])) && v[6] == '.' &&
         std::isdigit(static_cast<unsigned char>(v[7]));
}

}  // namespace

const char* const kBodyTimeout = "context deadline exceeded (Client.Timeout or context cancellation while reading body)";

std::string MalformedAnswer(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Go's http.ReadResponse: "<proto> <code> <reason>".
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return kBroken + "malformed HTTP response " + GoQuote(line);
  std::string_view proto = line.substr(0, sp);
  std::string_view status = line.substr(sp + 1);
  status.remove_prefix(std::min(status.find_first_not_of(' '), status.size()));
  std::string_view code = status.substr(0, status.find(' '));
  if (code.size() != 3 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return kBroken + "malformed HTTP status code " + GoQuote(code);
  }
  if (!IsHttpVersion(proto)) return kBroken + "malformed HTTP version " + GoQuote(proto);
  return kBroken + "malformed HTTP response " + GoQuote(line);
}

std::string TransportError(const CurlLoop::Response& r, const UrlParts& parts, const std::string& url) {
  using F = CurlLoop::Failure;
  std::string why;
  switch (r.failure) {
    case F::kTimeout: why = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"; break;
    case F::kConnect:
      why = "dial tcp " + parts.HostPort() + ": connect: " + (r.os_errno != 0 ? ErrnoText(r.os_errno) : r.error);
      break;
    case F::kResolve: why = "dial tcp: lookup " + parts.host + ": no such host"; break;
    case F::kEmptyReply: why = "EOF"; break;
    case F::kCutShort: why = kBroken + "unexpected EOF"; break;
    case F::kHeadTooLarge:
      // Go takes 10 MiB of head; libcurl stops sooner (see CurlLoop::Failure), and the text is Go's.
      why = kBroken + "net/http: server response headers exceeded 10485760 bytes; aborted";
      break;
    case F::kTls:
      // An HTTPS request to a plain-HTTP server: OpenSSL reads the answer as a bad record.
      if (r.error.find("wrong version number") != std::string::npos) {
        why = "http: server gave HTTP response to HTTPS client";
      } else {
        why = r.error;
      }
      break;
    default:
      why = r.os_errno == ECONNRESET ? "read tcp: " + ErrnoText(ECONNRESET) : r.error;
  }
  return "Get \"" + url + "\": " + why;
}

std::string BodyError(const CurlLoop::Response& r) {
  using F = CurlLoop::Failure;
  if (r.ok() || r.status == 0) return "";
  switch (r.failure) {
    case F::kTimeout: return kBodyTimeout;
    case F::kCutShort: return "unexpected EOF";
    default: return r.os_errno != 0 ? "read tcp: " + ErrnoText(r.os_errno) : r.error;
  }
}

}  // namespace crilet::probes
