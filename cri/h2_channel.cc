// H2Channel: one HTTP/2 stream per call on a pooled unix-socket connection, driven by nghttp2 with blocking I/O.
#include "cri/h2_channel.h"

#include <arpa/inet.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace crilet::cri {
namespace {

// kubelet lets the runtime answer with up to 16 MiB, as GrpcRuntime's channel does.
constexpr size_t kMaxResponse = 16 * 1024 * 1024;
constexpr int32_t kWindow = 16 * 1024 * 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string GrpcTimeoutHeader(std::chrono::milliseconds timeout) {
  long long ms = std::max<long long>(timeout.count(), 1);
  if (ms < 100'000'000) return std::to_string(ms) + "m";
  long long s = ms / 1000;
  if (s < 100'000'000) return std::to_string(s) + "S";
  return std::to_string(std::min<long long>(s / 3600, 99'999'999)) + "H";
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = HexValue(s[i + 1])) >= 0 && (lo = HexValue(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// One call's stream on a connection.
struct H2Stream {
  std::string out;  // the framed request
  size_t out_off = 0;
  std::string body;
  bool too_large = false;
  std::string http_status, grpc_status, grpc_message;
  bool answered = false;  // a frame of the stream arrived: the runtime has the request
  bool closed = false;
  uint32_t close_error = 0;
};

struct H2Channel::Conn {
  int fd = -1;
  nghttp2_session* session = nullptr;
  bool broken = false;  // not to be reused: I/O failed, the runtime said GOAWAY, or a call was cut off
  int send_errno = 0;
  std::map<int32_t, H2Stream> streams;  // the calls in flight (one at a time on a pooled connection)
  std::string unsent;                   // frames a non-blocking socket did not take yet
  Status failure;                       // why a non-blocking connection stopped working (then never read again)
  std::mutex mu;                        // the shared connection of Start's calls: guards all of the above

  ~Conn() {
    if (session) nghttp2_session_del(session);
    if (fd >= 0) ::close(fd);
  }
  H2Stream* Find(int32_t id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : &it->second;
  }
};

namespace {

using Conn = H2Channel::Conn;

// Sends every frame nghttp2 has queued in one write (a request's HEADERS and DATA, or a PING ACK with a
// WINDOW_UPDATE): one syscall, and one wake-up of the runtime's reader instead of one per frame. On a
// non-blocking socket what does not fit stays in c->unsent for the next Flush.
// Returns 0, or -1 with the connection marked broken.
int Flush(Conn* c) {
  for (;;) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(c->session, &data);
    if (n < 0) {
      c->broken = true;
      return -1;
    }
    if (n == 0) break;
    c->unsent.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  size_t done = 0;
  while (done < c->unsent.size()) {
    ssize_t n = ::send(c->fd, c->unsent.data() + done, c->unsent.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      c->send_errno = errno;
      c->broken = true;
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  c->unsent.erase(0, done);
  return 0;
}

int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t* value,
             size_t valuelen, uint8_t, void* user) {
  H2Stream* st = static_cast<Conn*>(user)->Find(frame->hd.stream_id);
  if (!st) return 0;
  st->answered = true;
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":status") st->http_status = std::move(v);
  else if (n == "grpc-status") st->grpc_status = std::move(v);
  else if (n == "grpc-message") st->grpc_message = std::move(v);
  return 0;
}

int OnData(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* user) {
  H2Stream* st = static_cast<Conn*>(user)->Find(stream_id);
  if (!st) return 0;
  st->answered = true;
  if (st->body.size() + len > kMaxResponse + 5) {
    st->too_large = true;
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
    return 0;
  }
  st->body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) {
  H2Stream* st = static_cast<Conn*>(user)->Find(stream_id);
  if (!st) return 0;
  st->closed = true;
  st->close_error = error_code;
  return 0;
}

int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<Conn*>(user)->broken = true;  // finish, then do not reuse
  return 0;
}

ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags, nghttp2_data_source* source,
                 void*) {
  auto* st = static_cast<H2Stream*>(source->ptr);
  size_t n = std::min(length, st->out.size() - st->out_off);
  std::memcpy(buf, st->out.data() + st->out_off, n);
  st->out_off += n;
  if (st->out_off == st->out.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

// A new connection. `nonblocking`: the socket never blocks, not even in connect (a runtime too busy to
// accept, its backlog full, is then an error at once instead of a wait).
std::unique_ptr<Conn> Connect(const std::string& path, Status* error, bool nonblocking = false) {
  auto c = std::make_unique<Conn>();
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    *error = Status::InvalidArgument("socket path too long: " + path);
    return nullptr;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  c->fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (c->fd < 0 || ::connect(c->fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = Status::Unavailable("connect unix://" + path + ": " + ErrnoText(errno));
    return nullptr;
  }
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_header_callback(cb, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, OnStreamClose);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, OnFrame);
  int rv = nghttp2_session_client_new(&c->session, cb, c.get());
  nghttp2_session_callbacks_del(cb);
  if (rv != 0) {
    *error = Status::Internal(std::string("HTTP/2 session: ") + nghttp2_strerror(rv));
    return nullptr;
  }
  // Large windows: an answer never waits for a WINDOW_UPDATE from us.
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindow}};
  nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, kWindow);
  if (Flush(c.get()) != 0) {
    *error = Status::Unavailable("send to unix://" + path + ": " + ErrnoText(c->send_errno));
    return nullptr;
  }
  return c;
}

Status CodeFromHttp(const std::string& status) {
  // gRPC's mapping for answers that are not gRPC (a proxy, a wrong socket).
  std::string m = "the runtime answered HTTP status " + status + " instead of a gRPC answer";
  if (status == "400") return Status(Code::kInternal, m);
  if (status == "401") return Status(Code::kUnauthenticated, m);
  if (status == "403") return Status(Code::kPermissionDenied, m);
  if (status == "404") return Status(Code::kUnimplemented, m);
  if (status == "429" || status == "502" || status == "503" || status == "504") return Status(Code::kUnavailable, m);
  return Status(Code::kUnknown, m);
}

// Queues a call on `c` (nothing is sent yet: Flush does). The stream ID, or a negative nghttp2 error.
int32_t Submit(Conn* c, const std::string& method, const std::string& request,
               std::chrono::steady_clock::time_point deadline) {
  H2Stream st;
  st.out.assign(5, '\0');
  uint32_t length = htonl(static_cast<uint32_t>(request.size()));
  std::memcpy(&st.out[1], &length, 4);
  st.out += request;

  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  std::string timeout = GrpcTimeoutHeader(left);
  auto nv = [](const char* name, const std::string& value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.c_str())), std::strlen(name), value.size(),
                      NGHTTP2_NV_FLAG_NONE};
  };
  static const std::string kPost = "POST", kHttp = "http", kAuthority = "localhost", kGrpc = "application/grpc",
                           kTrailers = "trailers", kAgent = "crilet";
  nghttp2_nv headers[] = {nv(":method", kPost),        nv(":scheme", kHttp),         nv(":path", method),
                          nv(":authority", kAuthority), nv("content-type", kGrpc),    nv("te", kTrailers),
                          nv("grpc-timeout", timeout),  nv("user-agent", kAgent)};
  // The stream's state must exist before nghttp2 calls back for it: it goes in under a provisional key and
  // moves to its ID (std::map nodes move without copying, so the data source pointer stays valid).
  auto node = c->streams.emplace(0, std::move(st)).first;
  nghttp2_data_provider body{};
  body.source.ptr = &node->second;
  body.read_callback = ReadBody;
  int32_t id = nghttp2_submit_request(c->session, nullptr, headers, sizeof headers / sizeof headers[0], &body, nullptr);
  auto handle = c->streams.extract(node);
  if (id > 0) {
    handle.key() = id;
    c->streams.insert(std::move(handle));
  }
  return id;
}

// The call's Status from its closed stream (and *response). *retry says the runtime cannot have acted on it.
Status Finish(const H2Stream& st, std::string* response, bool* retry) {
  if (st.too_large) return Status(Code::kResourceExhausted, "answer larger than 16 MiB");
  if (st.grpc_status.empty()) {
    if (st.close_error == NGHTTP2_REFUSED_STREAM) *retry = true;
    if (st.close_error != NGHTTP2_NO_ERROR) {
      return Status::Unavailable(std::string("stream reset by the runtime: ") + nghttp2_http2_strerror(st.close_error));
    }
    if (!st.http_status.empty() && st.http_status != "200") return CodeFromHttp(st.http_status);
    return Status::Internal("the runtime's answer has no grpc-status");
  }
  int code = std::atoi(st.grpc_status.c_str());
  if (code != 0) {
    if (code < 0 || code > 16) code = static_cast<int>(Code::kUnknown);
    return Status(static_cast<Code>(code), PercentDecode(st.grpc_message));
  }
  if (st.body.size() < 5) return Status::Internal("the runtime's answer has no message");
  if (st.body[0] == 1) return Status::Internal("the runtime's answer is compressed, which crilet did not ask for");
  if (st.body[0] != 0) return Status::Internal("the runtime's answer is not a gRPC message");
  uint32_t size = 0;
  std::memcpy(&size, st.body.data() + 1, 4);
  if (ntohl(size) != st.body.size() - 5) return Status::Internal("the runtime's answer has a wrong length");
  response->assign(st.body, 5);
  return Status::Ok();
}

// Runs one call on `c` with blocking I/O. *retry says the runtime cannot have seen the request (safe to send again).
Status RunStream(Conn* c, const std::string& method, const std::string& request,
                 std::chrono::steady_clock::time_point deadline, std::string* response, bool* retry) {
  *retry = false;
  const int32_t id = Submit(c, method, request, deadline);
  if (id < 0) {
    c->broken = true;
    *retry = true;
    return Status::Unavailable(std::string("HTTP/2 request: ") + nghttp2_strerror(id));
  }
  struct Forget {  // the stream's state goes when the call ends, however it ends
    Conn* c;
    int32_t id;
    ~Forget() { c->streams.erase(id); }
  } forget{c, id};
  if (Flush(c) != 0) {
    c->broken = true;
    *retry = true;  // not all of the request left: the runtime cannot act on it
    return Status::Unavailable("send to the runtime: " + ErrnoText(c->send_errno));
  }
  H2Stream& st = c->streams.at(id);
  uint8_t buf[16 * 1024];
  while (!st.closed) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      Flush(c);
      c->broken = true;  // late frames of the cancelled stream are not worth reading
      return Status::DeadlineExceeded("Deadline Exceeded");
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    pollfd p{c->fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(wait, 60'000)));
    if (ready < 0 && errno != EINTR) {
      c->broken = true;
      return Status::Unavailable("poll: " + ErrnoText(errno));
    }
    if (ready <= 0) continue;
    ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      c->broken = true;
      *retry = !st.answered;
      return Status::Unavailable(n == 0 ? "the runtime closed the connection" : "receive: " + ErrnoText(errno));
    }
    ssize_t used = nghttp2_session_mem_recv(c->session, buf, static_cast<size_t>(n));
    if (used < 0) {
      c->broken = true;
      return Status::Internal(std::string("HTTP/2 from the runtime: ") + nghttp2_strerror(static_cast<int>(used)));
    }
    if (Flush(c) != 0) c->broken = true;  // the answer may still be complete
  }
  return Finish(st, response, retry);
}

// Reads whatever the connection has, without blocking, and answers it (PING ACKs, WINDOW_UPDATEs). False if the
// connection broke (closed, I/O error, frames that do not parse), with *why saying how.
bool PumpOnce(Conn* c, Status* why) {
  uint8_t buf[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);  // pooled connections are blocking sockets
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      c->broken = true;
      *why = Status::Unavailable(n == 0 ? "the runtime closed the connection" : "receive: " + ErrnoText(errno));
      return false;
    }
    ssize_t used = nghttp2_session_mem_recv(c->session, buf, static_cast<size_t>(n));
    if (used < 0) {
      c->broken = true;
      *why = Status::Internal(std::string("HTTP/2 from the runtime: ") + nghttp2_strerror(static_cast<int>(used)));
      return false;
    }
  }
  if (Flush(c) != 0) {
    *why = Status::Unavailable("send to the runtime: " + ErrnoText(c->send_errno));
    return false;
  }
  return true;
}

// PumpOnce, remembering a failure: a connection that broke is not read again (its session may be unusable).
bool Pump(Conn* c, Status* why) {
  if (!c->failure.ok()) {
    *why = c->failure;
    return false;
  }
  const bool ok = PumpOnce(c, why);
  if (!ok) c->failure = *why;
  return ok;
}

}  // namespace

H2Channel::H2Channel(std::string socket_path, size_t max_idle)
    : socket_path_(std::move(socket_path)), max_idle_(max_idle) {}

H2Channel::~H2Channel() = default;

Status H2Channel::Call(const std::string& method, const std::string& request, std::chrono::milliseconds timeout,
                       std::string* response) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Conn> c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!idle_.empty() && !c) {
        c = std::move(idle_.back());
        idle_.pop_back();
        // It may have been closed by the runtime (a restart) or told to go away while idle.
        Status ignored;
        if (!PumpOnce(c.get(), &ignored) || c->broken) c.reset();
      }
    }
    bool reused = c != nullptr;
    if (!c) {
      Status error;
      c = Connect(socket_path_, &error);
      if (!c) return error;
    }
    bool retry = false;
    Status s = RunStream(c.get(), method, request, deadline, response, &retry);
    if (!c->broken) {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
    }
    // A pooled connection the runtime dropped while idle: once more on a new one.
    if (!s.ok() && retry && reused && attempt == 0) continue;
    return s;
  }
}

std::unique_ptr<H2Call> H2Channel::Start(const std::string& method, const std::string& request,
                                         std::chrono::milliseconds timeout, Status* error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::shared_ptr<Conn> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shared_) {
      // An idle connection: read what came while no call looked (a PING to answer, a GOAWAY, the runtime
      // closing it after a restart) before adding a call to it. Not while calls are in flight: their
      // answers must be read by their own Step, after their poll, or nobody would look at them again.
      // `idle` keeps the connection, and the mutex conn_lock holds, alive when shared_ lets go of it below.
      std::shared_ptr<Conn> idle = shared_;
      std::lock_guard<std::mutex> conn_lock(idle->mu);
      Status why;
      if (idle->streams.empty() && !Pump(idle.get(), &why)) shared_.reset();
      else if (idle->broken) shared_.reset();  // its calls end with their errors
    }
    if (!shared_) {
      std::unique_ptr<Conn> fresh = Connect(socket_path_, error, /*nonblocking=*/true);
      if (!fresh) return nullptr;
      shared_ = std::move(fresh);
    }
    c = shared_;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  int32_t id = Submit(c.get(), method, request, deadline);
  if (id < 0) {
    c->broken = true;
    *error = Status::Unavailable(std::string("HTTP/2 request: ") + nghttp2_strerror(id));
    return nullptr;
  }
  if (Flush(c.get()) != 0) {
    c->streams.erase(id);
    *error = Status::Unavailable("send to the runtime: " + ErrnoText(c->send_errno));
    return nullptr;
  }
  return std::unique_ptr<H2Call>(new H2Call(std::move(c), id, deadline));
}

H2Call::~H2Call() {
  if (!finished_) Cancel();
}

void H2Call::Cancel() {
  std::lock_guard<std::mutex> lock(conn_->mu);
  if (conn_->failure.ok()) {
    nghttp2_submit_rst_stream(conn_->session, NGHTTP2_FLAG_NONE, stream_id_, NGHTTP2_CANCEL);
    Flush(conn_.get());
  }
  conn_->streams.erase(stream_id_);
  finished_ = true;
}

int H2Call::fd() const { return conn_->fd; }

bool H2Call::Ready() const {
  if (finished_) return false;
  std::lock_guard<std::mutex> lock(conn_->mu);
  const H2Stream* st = conn_->Find(stream_id_);
  return !conn_->failure.ok() || (st && st->closed);
}

short H2Call::events() const {
  std::lock_guard<std::mutex> lock(conn_->mu);
  return conn_->unsent.empty() ? POLLIN : POLLIN | POLLOUT;
}

std::optional<Status> H2Call::Step(std::string* response) {
  if (finished_) return Status::Internal("the call already ended");
  std::lock_guard<std::mutex> lock(conn_->mu);
  Status broke;
  // Another call on this connection may have read this one's answer already: look at the stream either way.
  // A connection told to go away (GOAWAY) still delivers the answers of calls in flight.
  bool alive = Pump(conn_.get(), &broke);
  H2Stream* st = conn_->Find(stream_id_);
  if (st && st->closed) {
    bool retry = false;
    Status s = Finish(*st, response, &retry);
    conn_->streams.erase(stream_id_);
    finished_ = true;
    return s;
  }
  if (alive) return std::nullopt;
  conn_->streams.erase(stream_id_);
  finished_ = true;
  return broke;
}

Status H2Call::Expire() {
  if (!finished_) Cancel();
  return Status::DeadlineExceeded("Deadline Exceeded");
}

}  // namespace crilet::cri
