// The SPDY client connection: dial and upgrade (blocking, bounded), then non-blocking frames for a poll loop.
#include "cli/spdy_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crilet::cli {
namespace {

constexpr size_t kMaxDataFrame = 32 * 1024;
constexpr size_t kMaxUpgradeHead = 64 * 1024;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return std::string(s);
}

int Remaining(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

Status WaitFd(int fd, short events, std::chrono::steady_clock::time_point deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, Remaining(deadline));
    if (n > 0) return Status::Ok();
    if (n == 0) return Status::DeadlineExceeded(std::string("timed out ") + what);
    if (errno != EINTR) return Status::Unavailable(std::string(what) + ": " + std::strerror(errno));
  }
}

}  // namespace

Status ParseStreamUrl(std::string_view url, StreamUrl* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("streaming URL \"" + std::string(url) + "\": only http:// is supported");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out->path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!authority.empty() && authority.front() == '[') {  // [::1]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("streaming URL \"" + std::string(url) + "\": bad host");
    out->host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    out->port = authority.size() > 1 && authority.front() == ':' ? std::string(authority.substr(1)) : "80";
  } else {
    size_t colon = authority.rfind(':');
    out->host = std::string(authority.substr(0, colon));
    out->port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  if (out->host.empty() || out->port.empty()) {
    return Status::InvalidArgument("streaming URL \"" + std::string(url) + "\": no host or port");
  }
  return Status::Ok();
}

std::string UpgradeRequest(const StreamUrl& url, const std::vector<std::string>& protocols) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  std::string req = "POST " + url.path + " HTTP/1.1\r\nHost: " + host + ":" + url.port +
                    "\r\nUser-Agent: crilet\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n";
  for (const auto& p : protocols) req += "X-Stream-Protocol-Version: " + p + "\r\n";
  return req + "\r\n";
}

Status ParseUpgradeResponse(std::string_view head, std::string_view body, std::string* protocol) {
  size_t eol = head.find("\r\n");
  std::string status_line = Trim(head.substr(0, eol));
  // "HTTP/1.1 101 Switching Protocols"
  size_t sp = status_line.find(' ');
  int code = sp == std::string::npos ? 0 : std::atoi(status_line.c_str() + sp + 1);
  protocol->clear();
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (Lower(std::string(line.substr(0, colon))) == "x-stream-protocol-version") *protocol = Trim(line.substr(colon + 1));
  }
  if (code == 101) return Status::Ok();
  std::string text = Trim(body);
  if (text.empty()) text = status_line.empty() ? "the server closed the connection" : status_line;
  return Status::Unavailable("unable to upgrade connection: " + text);
}

Status SpdyConnection::Dial(const std::string& url, const std::vector<std::string>& protocols,
                            std::chrono::milliseconds timeout, std::unique_ptr<SpdyConnection>* out,
                            std::string* protocol) {
  StreamUrl u;
  if (Status s = ParseStreamUrl(url, &u); !s.ok()) return s;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &res); rc != 0) {
    return Status::Unavailable("streaming server " + u.host + ": " + gai_strerror(rc));
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      close(fd);
      fd = -1;
      continue;
    }
    Status w = WaitFd(fd, POLLOUT, deadline, "connecting to the streaming server");
    int err = 0;
    socklen_t len = sizeof err;
    if (w.ok()) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (!w.ok() || err != 0) {
      last_error = w.ok() ? std::strerror(err) : w.message();
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return Status::Unavailable("streaming server " + u.host + ":" + u.port + ": " + last_error);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // keystrokes go out as typed

  auto fail = [&](Status s) {
    close(fd);
    return s;
  };
  std::string req = UpgradeRequest(u, protocols);
  for (size_t sent = 0; sent < req.size();) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (Status s = WaitFd(fd, POLLOUT, deadline, "sending the upgrade request"); !s.ok()) return fail(s);
    } else {
      return fail(Status::Unavailable(std::string("sending the upgrade request: ") + std::strerror(errno)));
    }
  }
  std::string in;
  size_t head_end = std::string::npos;
  bool eof = false;
  auto read_some = [&]() -> Status {
    if (Status s = WaitFd(fd, POLLIN, deadline, "waiting for the streaming server's answer"); !s.ok()) return s;
    char buf[8192];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) in.append(buf, static_cast<size_t>(n));
    else if (n == 0) eof = true;
    else if (errno != EAGAIN && errno != EINTR) return Status::Unavailable(std::string("reading the upgrade answer: ") + std::strerror(errno));
    return Status::Ok();
  };
  while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
    if (eof) return fail(Status::Unavailable("unable to upgrade connection: the server closed the connection"));
    if (in.size() > kMaxUpgradeHead) return fail(Status::Unavailable("unable to upgrade connection: the answer's header is too long"));
    if (Status s = read_some(); !s.ok()) return fail(s);
  }
  std::string head = in.substr(0, head_end + 2);
  std::string rest = in.substr(head_end + 4);
  bool switching = head.compare(0, 12, "HTTP/1.1 101") == 0 || head.compare(0, 12, "HTTP/1.0 101") == 0;
  if (!switching) {
    // Read the error's body (bounded) so the message says what the server said.
    std::string lower = Lower(head);
    size_t cl = lower.find("\r\ncontent-length:");
    size_t want = cl == std::string::npos ? kMaxUpgradeHead : std::strtoul(lower.c_str() + cl + 17, nullptr, 10);
    want = std::min(want, kMaxUpgradeHead);
    while (!eof && rest.size() < want) {
      size_t before = in.size();
      if (!read_some().ok()) break;
      rest += in.substr(before);
    }
    return fail(ParseUpgradeResponse(head, rest.substr(0, want), protocol));
  }
  if (Status s = ParseUpgradeResponse(head, "", protocol); !s.ok()) return fail(s);
  out->reset(new SpdyConnection(fd, std::move(rest)));
  return Status::Ok();
}

SpdyConnection::SpdyConnection(int fd, std::string leftover) : fd_(fd) {
  if (!leftover.empty()) reader_.Feed(leftover);
}

SpdyConnection::~SpdyConnection() { close(fd_); }

void SpdyConnection::Queue(std::string bytes) {
  if (out_pos_ > 0 && out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_ += bytes;
}

uint32_t SpdyConnection::OpenStream(const spdy::Headers& headers) {
  uint32_t id = next_id_;
  next_id_ += 2;
  streams_[id];
  Queue(spdy::EncodeSynStream(&compressor_, id, headers, false));
  return id;
}

void SpdyConnection::Write(uint32_t id, std::string_view data) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;  // reset or never opened: nothing to send it on
  for (size_t at = 0; at < data.size(); at += kMaxDataFrame) {
    std::string frame = spdy::EncodeData(id, data.substr(at, kMaxDataFrame), false);
    if (it->second.replied) Queue(std::move(frame));
    else it->second.held += frame;
  }
}

void SpdyConnection::CloseStream(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  if (it->second.replied) Queue(spdy::EncodeData(id, "", true));
  else it->second.fin_held = true;
}

void SpdyConnection::ResetStream(uint32_t id) {
  if (streams_.erase(id) > 0) Queue(spdy::EncodeRstStream(id, spdy::kRstCancel));
}

bool SpdyConnection::replied(uint32_t id) const {
  auto it = streams_.find(id);
  return it != streams_.end() && it->second.replied;
}

Status SpdyConnection::OnReadable(SpdyListener* listener) {
  // One read per call, then its frames: reading on while the socket stays full would buffer a fast
  // stream whole before handing any of it on.
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      reader_.Feed(std::string_view(buf, static_cast<size_t>(n)));
      break;
    }
    if (n == 0) {
      closed_ = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    closed_ = true;
    return Status::Unavailable(std::string("reading from the streaming server: ") + std::strerror(errno));
  }
  spdy::Frame f;
  std::string error;
  for (;;) {
    auto r = reader_.Next(&f, &error);
    if (r == spdy::FrameReader::Result::kNeedMore) break;
    if (r == spdy::FrameReader::Result::kError) {
      closed_ = true;
      return Status::Unavailable("the streaming server's SPDY stream is broken: " + error);
    }
    switch (f.type) {
      case spdy::FrameType::kSynReply: {
        auto it = streams_.find(f.stream_id);
        if (it == streams_.end() || it->second.replied) break;
        it->second.replied = true;
        Queue(std::move(it->second.held));
        it->second.held.clear();
        if (it->second.fin_held) Queue(spdy::EncodeData(f.stream_id, "", true));
        listener->OnReply(f.stream_id);
        if (f.fin()) listener->OnRemoteFin(f.stream_id);
        break;
      }
      case spdy::FrameType::kData:
        if (!streams_.count(f.stream_id)) break;
        if (!f.data.empty()) listener->OnData(f.stream_id, f.data);
        if (f.fin()) listener->OnRemoteFin(f.stream_id);
        break;
      case spdy::FrameType::kHeaders:
        if (streams_.count(f.stream_id) && f.fin()) listener->OnRemoteFin(f.stream_id);
        break;
      case spdy::FrameType::kRstStream:
        if (streams_.erase(f.stream_id) > 0) listener->OnReset(f.stream_id, f.value);
        break;
      case spdy::FrameType::kPing:
        if ((f.stream_id & 1) == 0) Queue(spdy::EncodePing(f.stream_id));  // the server's ping: echo it
        break;
      case spdy::FrameType::kGoAway:
        closed_ = true;
        break;
      default:
        break;  // SETTINGS, WINDOW_UPDATE and unknown types: spdystream does no flow control, neither do we
    }
  }
  return Status::Ok();
}

Status SpdyConnection::OnWritable() {
  while (out_pos_ < out_.size()) {
    ssize_t n = send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    closed_ = true;
    return Status::Unavailable(std::string("writing to the streaming server: ") + std::strerror(errno));
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  return Status::Ok();
}

}  // namespace crilet::cli
