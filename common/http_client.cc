// HTTP/1.1 GET over a non-blocking socket (and OpenSSL for https), polled in 50 ms slices for the cancel flag.
#include "common/http_client.h"

#include "common/http_answer.h"
#include "common/status.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

namespace crilet {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsIpLiteral(const std::string& host) {
  in6_addr a6{};
  in_addr a4{};
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

HttpResult Fail(HttpError e, std::string message, int os_errno = 0) {
  HttpResult r;
  r.error = e;
  r.message = std::move(message);
  r.os_errno = os_errno;
  return r;
}

// Waits until fd is ready for `events`, the deadline passes or the cancel flag is set.
HttpError Wait(int fd, short events, SteadyTime deadline, const std::atomic<bool>* cancel) {
  for (;;) {
    if (cancel && cancel->load()) return HttpError::kCancelled;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return HttpError::kTimeout;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), cancel ? 50 : left.count())));
    if (n > 0) return HttpError::kNone;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR) return HttpError::kIo;
  }
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// One context per verification mode, made on first use (OpenSSL is only initialised if https is used).
SSL_CTX* Context(bool verify) {
  static std::once_flag once;
  static std::unique_ptr<SSL_CTX, SslCtxFree> checked, unchecked;
  std::call_once(once, [] {
    checked.reset(SSL_CTX_new(TLS_client_method()));
    unchecked.reset(SSL_CTX_new(TLS_client_method()));
    if (checked) {
      SSL_CTX_set_default_verify_paths(checked.get());
      SSL_CTX_set_verify(checked.get(), SSL_VERIFY_PEER, nullptr);
    }
    if (unchecked) SSL_CTX_set_verify(unchecked.get(), SSL_VERIFY_NONE, nullptr);
  });
  return verify ? checked.get() : unchecked.get();
}

std::string SslErrorText() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "connection closed during the TLS handshake";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// A connected socket, with TLS on top for https.
class Connection {
 public:
  Connection(SteadyTime deadline, const std::atomic<bool>* cancel) : deadline_(deadline), cancel_(cancel) {}
  ~Connection() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  HttpResult Open(const Url& url, bool verify_tls) {
    HttpResult r = Dial(url);
    if (!r.ok() || url.scheme != "https") return r;
    return Handshake(url, verify_tls);
  }

  HttpResult WriteAll(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n;
      if (ssl_) {
        size_t written = 0;
        int rc = SSL_write_ex(ssl_, data.data() + done, data.size() - done, &written);
        if (rc != 1) {
          int e = SSL_get_error(ssl_, rc);
          if (HttpResult w = WaitSsl(e); !w.ok()) return w;
          continue;
        }
        n = static_cast<ssize_t>(written);
      } else {
        n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK) return Fail(HttpError::kIo, "write: " + ErrnoText(errno), errno);
          if (HttpError w = Wait(fd_, POLLOUT, deadline_, cancel_); w != HttpError::kNone) return Fail(w, "write");
          continue;
        }
      }
      done += static_cast<size_t>(n);
    }
    return {};
  }

  // Appends what arrives next to *buf; sets *eof when the peer closed the connection. `wait_first`: poll
  // before reading (the first read after a request: the answer cannot be there yet).
  HttpResult ReadSome(std::string* buf, bool* eof, bool wait_first = false) {
    char chunk[16384];
    if (wait_first && !ssl_) {
      if (HttpError w = Wait(fd_, POLLIN, deadline_, cancel_); w != HttpError::kNone) return Fail(w, "read");
    }
    for (;;) {
      if (ssl_) {
        size_t got = 0;
        int rc = SSL_read_ex(ssl_, chunk, sizeof chunk, &got);
        if (rc == 1) {
          buf->append(chunk, got);
          return {};
        }
        int e = SSL_get_error(ssl_, rc);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
          ERR_clear_error();
          *eof = true;  // close_notify, or a peer that just closed the socket (common and harmless)
          return {};
        }
        if (HttpResult w = WaitSsl(e); !w.ok()) return w;
        continue;
      }
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf->append(chunk, static_cast<size_t>(n));
        return {};
      }
      if (n == 0) {
        *eof = true;
        return {};
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Fail(HttpError::kIo, "read: " + ErrnoText(errno), errno);
      if (HttpError w = Wait(fd_, POLLIN, deadline_, cancel_); w != HttpError::kNone) return Fail(w, "read");
    }
  }

 private:
  HttpResult Dial(const Url& url) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = IsIpLiteral(url.host) ? AI_NUMERICHOST : AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    std::string port = std::to_string(url.port);
    if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list); rc != 0 || !list) {
      return Fail(HttpError::kResolve, gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(list, freeaddrinfo);
    HttpResult last = Fail(HttpError::kConnect, "no address", 0);
    for (addrinfo* a = list; a; a = a->ai_next) {  // every address in turn, as Go's dialer does
      int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) {
        last = Fail(HttpError::kConnect, "socket", errno);
        continue;
      }
      if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
        last = Fail(HttpError::kConnect, "connect", errno);
        close(fd);
        continue;
      }
      HttpError w = Wait(fd, POLLOUT, deadline_, cancel_);
      if (w != HttpError::kNone) {
        close(fd);
        return Fail(w, "connect");
      }
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = Fail(HttpError::kConnect, "connect", err);
        close(fd);
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      return {};
    }
    return last;
  }

  HttpResult Handshake(const Url& url, bool verify) {
    SSL_CTX* ctx = Context(verify);
    if (!ctx || !(ssl_ = SSL_new(ctx))) return Fail(HttpError::kTls, "cannot set up TLS: " + SslErrorText());
    SSL_set_fd(ssl_, fd_);
    bool ip = IsIpLiteral(url.host);
    if (!ip) SSL_set_tlsext_host_name(ssl_, url.host.c_str());
    if (verify) {
      if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), url.host.c_str());
      } else {
        SSL_set1_host(ssl_, url.host.c_str());
      }
    }
    for (;;) {
      int rc = SSL_connect(ssl_);
      if (rc == 1) return {};
      int e = SSL_get_error(ssl_, rc);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        long v = SSL_get_verify_result(ssl_);
        if (verify && v != X509_V_OK) {
          ERR_clear_error();
          return Fail(HttpError::kTls, std::string("tls: failed to verify certificate: ") + X509_verify_cert_error_string(v));
        }
        return Fail(HttpError::kTls, "tls: " + SslErrorText());
      }
      if (HttpResult w = WaitSsl(e); !w.ok()) return w;
    }
  }

  HttpResult WaitSsl(int ssl_error) {
    short events;
    if (ssl_error == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (ssl_error == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else {
      return Fail(HttpError::kTls, "tls: " + SslErrorText());
    }
    if (HttpError w = Wait(fd_, events, deadline_, cancel_); w != HttpError::kNone) return Fail(w, "tls");
    return {};
  }

  SteadyTime deadline_;
  const std::atomic<bool>* cancel_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

}  // namespace

const char* const kBodyTimeout = "context deadline exceeded (Client.Timeout or context cancellation while reading body)";

bool IsFollowedRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string Url::HostPort() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return explicit_port && !default_port ? h + ":" + std::to_string(port) : h;
}

bool ParseUrl(const std::string& text, Url* out, std::string* error) {
  Url u;
  size_t sep = text.find("://");
  if (sep == std::string::npos) {
    *error = "\"" + text + "\" is not an absolute URL (expected http:// or https://)";
    return false;
  }
  u.scheme = Lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") {
    *error = "unsupported protocol scheme \"" + u.scheme + "\"";
    return false;
  }
  size_t start = sep + 3;
  size_t end = text.find_first_of("/?#", start);
  std::string authority = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) {
      *error = "\"" + text + "\": missing ']' in host";
      return false;
    }
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        *error = "\"" + text + "\": invalid host";
        return false;
      }
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    u.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    u.host = authority;
  }
  if (u.host.empty()) {
    *error = "\"" + text + "\": no host";
    return false;
  }
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      *error = "\"" + text + "\": invalid port \"" + port + "\"";
      return false;
    }
    u.port = std::stoi(port);
    u.explicit_port = true;
  }
  std::string rest = end == std::string::npos ? "" : text.substr(end);
  if (size_t hash = rest.find('#'); hash != std::string::npos) rest = rest.substr(0, hash);
  u.target = rest.empty() || rest[0] != '/' ? "/" + rest : rest;
  *out = std::move(u);
  return true;
}

std::string ResolveLocation(const Url& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  std::string origin = base.scheme + "://" + base.Authority();
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string path = base.target.substr(0, base.target.find('?'));
  if (location.empty()) return origin + base.target;
  if (location[0] == '?') return origin + path + location;
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

std::string HttpResult::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

std::string GetRequest(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string host = url.Authority();
  std::string request = "GET " + url.target + " HTTP/1.1\r\n";
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), "Host") == 0) host = v;
  }
  request += "Host: " + host + "\r\n";
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), "Host") != 0) request += k + ": " + v + "\r\n";
  }
  request += "\r\n";
  return request;
}

HttpResult HttpGetOnce(const Url& url, const HttpGetOptions& o) {
  const SteadyTime deadline = std::chrono::steady_clock::now() + o.timeout;
  Connection conn(deadline, o.cancel);
  if (HttpResult r = conn.Open(url, o.verify_tls); !r.ok()) return r;

  if (HttpResult r = conn.WriteAll(GetRequest(url, o.headers)); !r.ok()) return r;

  HttpAnswerParser parser(o.max_body, o.truncate);
  std::string buf;
  bool eof = false, first = true;
  for (;;) {
    HttpAnswerParser::State state = parser.Feed(buf, eof);
    if (state != HttpAnswerParser::State::kNeedMore) return std::move(parser.result());
    buf.clear();
    // The first read waits first: right after the request the answer cannot be there yet.
    if (HttpResult e = conn.ReadSome(&buf, &eof, first); !e.ok()) {
      if (!parser.HeadDone() || e.error == HttpError::kCancelled) return e;
      // Past the head, Go's client has returned the response: the failure is one of reading its body.
      return parser.BodyFailed(e.error == HttpError::kTimeout ? kBodyTimeout : e.message);
    }
    first = false;
  }
}

}  // namespace crilet
