// H2Channel: one HTTP/2 stream per call on a pooled unix-socket connection, driven by nghttp2 with blocking I/O.
#include "cri/h2_channel.h"

#include "common/privilege.h"

#include <arpa/inet.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crilet::cri {

// The calls in flight (one at a time on a pooled connection) are the H2Streams base, the session's user data.
struct H2Channel::Conn : H2Streams {
  int fd = -1;
  nghttp2_session* session = nullptr;
  int send_errno = 0;
  std::string unsent;                   // frames a non-blocking socket did not take yet
  Status failure;                       // why a non-blocking connection stopped working (then never read again)
  std::mutex mu;                        // the shared connection of Start's calls: guards all of the above

  ~Conn() {
    if (session) nghttp2_session_del(session);
    if (fd >= 0) ::close(fd);
  }
};

namespace {

using Conn = H2Channel::Conn;

constexpr int32_t kWindow = 16 * 1024 * 1024;

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
    int err = errno;
    *error = Status::Unavailable("connect unix://" + path + ": " + ErrnoText(err) + RootAdvice(err, "the runtime socket"));
    return nullptr;
  }
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  SetStreamCallbacks(cb);
  int rv = nghttp2_session_client_new(&c->session, cb, static_cast<H2Streams*>(c.get()));
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

// Runs one call on `c` with blocking I/O. *retry says the runtime cannot have seen the request (safe to send again).
Status RunStream(Conn* c, const std::string& method, const std::string& request,
                 std::chrono::steady_clock::time_point deadline, std::string* response, bool* retry) {
  *retry = false;
  const int32_t id = SubmitCall(c->session, c, method, request, deadline);
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
  return FinishCall(st, response, retry);
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
  int32_t id = SubmitCall(c->session, c.get(), method, request, deadline);
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
    Status s = FinishCall(*st, response, &retry);
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
