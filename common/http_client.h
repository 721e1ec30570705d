/// HttpClient: one HTTP/1.1 GET on a fresh connection (plain or TLS) with a deadline, a cancel flag and a body cap.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace crilet {

// What crilet needs from HTTP is narrow: probes and httpGet hooks (kubelet's probe client: GET, no
// keep-alive, no proxy, certificates not checked, at most 10 KiB of body read), the manifest URL source and
// the CLI's status client. This client does exactly that, with the OpenSSL that gRPC already loads; it
// replaced libcurl, whose dependencies (GnuTLS, Kerberos, LDAP, SSH, RTMP) cost the daemon ~6 MB of RSS.

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;        // the scheme's default when the URL has none
  std::string target;  // path and query, at least "/"
  bool explicit_port = false;
  // "host" or "host:port" (the port only when given and not the default), IPv6 in brackets: the Host header.
  std::string Authority() const;
  std::string HostPort() const;  // "host:port" always (IPv6 in brackets), as Go's dial errors print it
};

// Parses an absolute http(s) URL; false with *error saying what is wrong.
bool ParseUrl(const std::string& text, Url* out, std::string* error);
// The absolute URL a Location header points to, relative to base (RFC 3986 reference resolution for the
// forms servers send: absolute, //authority/path, /path, relative path, ?query).
std::string ResolveLocation(const Url& base, const std::string& location);

struct HttpGetOptions {
  // Sent as given, in order, after Host (a "Host" entry replaces the URL's authority in the Host header).
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{1000};  // for the whole request: resolve, connect, TLS, answer
  size_t max_body = 10 * 1024;
  bool truncate = true;     // true: keep max_body bytes and stop reading; false: a longer body is an error
  bool verify_tls = true;   // false: neither the certificate nor the host name is checked
  const std::atomic<bool>* cancel = nullptr;  // may be null; once true the request ends within ~50 ms
};

// kBody: the status line and headers arrived (status, headers and the body so far are set) but reading the
// body failed: Go's client returns the response then, and the error comes from reading its body.
enum class HttpError { kNone, kBadUrl, kResolve, kConnect, kTimeout, kCancelled, kTls, kProtocol, kTooLarge, kIo, kBody };

struct HttpResult {
  HttpError error = HttpError::kNone;
  int os_errno = 0;     // kConnect, kIo: the errno
  std::string message;  // what went wrong, for errors other than kTimeout and kCancelled
  int status = 0;       // the response's status code when error is kNone
  std::vector<std::pair<std::string, std::string>> headers;  // response headers, names as sent
  std::string body;
  bool truncated = false;  // the body was longer than max_body and truncate was set
  bool ok() const { return error == HttpError::kNone; }
  std::string Header(const std::string& name) const;  // first value, case-insensitive name; "" if absent
};

// Go's text for a timeout while reading the body (net/http client.go cancelTimerBody), kubelet-era Go.
extern const char* const kBodyTimeout;

// The redirect codes Go's client follows (301, 302, 303, 307, 308); other 3xx answers are final.
bool IsFollowedRedirect(int status);

// The request HttpGetOnce sends: the GET line, Host (the URL's authority unless a "Host" header is given),
// then the other headers in order.
std::string GetRequest(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers);

// One GET; never follows redirects (callers apply their own policy with ResolveLocation).
HttpResult HttpGetOnce(const Url& url, const HttpGetOptions& options);

}  // namespace crilet
