// HttpServer: the listener, the worker pool and one connection's read-answer-close cycle.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>
#include <system_error>

#include <spdlog/spdlog.h>

namespace crilet::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBacklog = 64;
constexpr int kSliceMs = 100;          // how often a waiting thread looks at the stop flag
constexpr int kLingerMs = 500;         // how long a closing connection drains what the client still sends
constexpr size_t kLingerBytes = 64 * 1024;

std::string ErrnoText(int err) { return std::system_category().message(err); }

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

bool Transient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

void NameThisThread() { pthread_setname_np(pthread_self(), "crilet-http"); }

std::string ErrorBody(int status) {
  switch (status) {
    case 400: return "malformed request line\n";
    case 408: return "request head not received within " + std::to_string(HttpServer::kReadTimeoutMs / 1000) + "s\n";
    case 431: return "request head larger than " + std::to_string(HttpServer::kMaxHeadBytes) + " bytes\n";
  }
  return std::string(ReasonPhrase(status)) + "\n";
}

HttpServerResponse CallHandler(const HttpServer::Handler& handler, const HttpServerRequest& request) {
  HttpServerResponse failed;
  failed.status = 500;
  failed.body = "internal server error\n";
  try {
    return handler(request);
  } catch (const std::exception& e) {
    spdlog::warn("http server: {} {} failed: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::warn("http server: {} {} failed with an unknown exception", request.method, request.path);
  }
  return failed;
}

}  // namespace

HttpServer::HttpServer(Handler handler) : handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Listen(const std::string& address, int port) {
  const std::string where = address + ":" + std::to_string(port);
  if (listen_fd_ >= 0) return Status::FailedPrecondition("listen on " + where + ": already listening");
  if (port < 0 || port > 65535) return Status::InvalidArgument("listen on " + where + ": port must be 0-65535");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Status::InvalidArgument("listen on " + where + ": " + gai_strerror(rc));
  }
  std::string error = "no usable address";
  for (addrinfo* ai = found; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      error = ErrnoText(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, kBacklog) == 0) {
      listen_fd_ = fd;
    } else {
      error = ErrnoText(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return Status::Unavailable("listen on " + where + ": " + error);

  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    error = ErrnoText(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return Status::Internal("listen on " + where + ": eventfd: " + error);
  }
  return Status::Ok();
}

Status HttpServer::Start() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (listen_fd_ < 0 || stopping_) {
      return Status::FailedPrecondition("http server: Start without a successful Listen");
    }
    if (started_) return Status::FailedPrecondition("http server: already started");
    started_ = true;
  }
  try {
    listener_ = std::thread([this] { ListenLoop(); });
    for (int i = 0; i < kMaxConnections; i++) workers_.emplace_back([this] { WorkerLoop(); });
  } catch (const std::system_error& e) {
    Stop();
    return Status::Internal(std::string("http server: cannot start threads: ") + e.what());
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  slot_cv_.notify_all();
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
  if (listener_.joinable()) listener_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  for (int fd : pending_) close(fd);
  pending_.clear();
  if (listen_fd_ >= 0) close(listen_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  listen_fd_ = stop_fd_ = -1;
}

void HttpServer::ListenLoop() {
  NameThisThread();
  while (true) {
    {
      // At the cap, leave new connections in the backlog rather than accept what no worker can serve.
      std::unique_lock<std::mutex> l(mu_);
      slot_cv_.wait(l, [&] { return stopping_ || busy_ + static_cast<int>(pending_.size()) < kMaxConnections; });
      if (stopping_) return;
    }
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (stopping_) return;
    if (n < 0 && errno != EINTR) {
      spdlog::warn("http server: poll: {}", ErrnoText(errno));
      poll(&fds[1], 1, kSliceMs);
      continue;
    }
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      // Out of descriptors or memory: back off instead of spinning on a listener that stays readable.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        spdlog::warn("http server: accept: {}", ErrnoText(errno));
        poll(&fds[1], 1, kSliceMs);
      }
      continue;
    }
    try {
      std::lock_guard<std::mutex> l(mu_);
      pending_.push_back(fd);
    } catch (...) {
      close(fd);
      continue;
    }
    work_cv_.notify_one();
  }
}

void HttpServer::WorkerLoop() {
  NameThisThread();
  while (true) {
    int fd = -1;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait(l, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      fd = pending_.front();
      pending_.pop_front();
      busy_++;
    }
    try {
      ServeConnection(fd);
    } catch (...) {  // out of memory while reading or formatting: drop this connection, keep serving
    }
    close(fd);
    {
      std::lock_guard<std::mutex> l(mu_);
      busy_--;
    }
    slot_cv_.notify_one();
  }
}

void HttpServer::ServeConnection(int fd) {
  std::string head;
  int error = ReadHead(fd, &head);
  if (error < 0) return;
  HttpServerRequest request;
  if (error == 0 && !ParseRequestHead(head, &request)) error = 400;
  HttpServerResponse response;
  if (error > 0) {
    response.status = error;
    response.body = ErrorBody(error);
  } else {
    response = CallHandler(handler_, request);
  }
  std::string out = FormatResponseHead(response);
  if (request.method != "HEAD") out += response.body;
  if (SendAll(fd, out)) LingerClose(fd);
}

int HttpServer::ReadHead(int fd, std::string* head) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kReadTimeoutMs);
  char buf[4096];
  while (true) {
    size_t end = FindHeadEnd(*head);
    if (end > kMaxHeadBytes || (end == 0 && head->size() >= kMaxHeadBytes)) return 431;
    if (end > 0) return 0;
    int left = MillisLeft(deadline);
    if (left == 0) return 408;
    short revents = 0;
    if (!WaitFor(fd, POLLIN, left, &revents)) return -1;
    if (revents == 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return -1;  // closed before a full head (a TCP health check, or a client giving up)
    if (n < 0) {
      if (Transient(errno)) continue;
      return -1;
    }
    head->append(buf, static_cast<size_t>(n));
  }
}

bool HttpServer::SendAll(int fd, const std::string& data) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kWriteTimeoutMs);
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;  // EPIPE, ECONNRESET: the client left
    int left = MillisLeft(deadline);
    short revents = 0;
    if (left == 0 || !WaitFor(fd, POLLOUT, left, &revents)) return false;
  }
  return true;
}

void HttpServer::LingerClose(int fd) {
  shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + std::chrono::milliseconds(kLingerMs);
  char buf[4096];
  size_t drained = 0;
  while (drained < kLingerBytes) {
    int left = MillisLeft(deadline);
    short revents = 0;
    if (left == 0 || !WaitFor(fd, POLLIN, left, &revents)) return;
    if (revents == 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return;  // the client closed after reading the answer
    if (n < 0) {
      if (Transient(errno)) continue;
      return;
    }
    drained += static_cast<size_t>(n);
  }
}

bool HttpServer::WaitFor(int fd, short events, int timeout_ms, short* revents) {
  *revents = 0;
  if (stopping_) return false;
  pollfd p{fd, events, 0};
  int n = poll(&p, 1, std::min(timeout_ms, kSliceMs));
  if (stopping_) return false;
  if (n > 0) *revents = p.revents;
  return true;
}

}  // namespace crilet::server
