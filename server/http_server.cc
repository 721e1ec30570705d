// HttpServer: the poll loop over the listener and every connection, and the workers that run the handler.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <system_error>

#include <spdlog/spdlog.h>

namespace crilet::server {
namespace {

constexpr int kBacklog = 512;
constexpr int kAcceptsPerRound = 64;  // then the loop serves the connections it has before accepting more
constexpr int kMaxPollMs = 1000;
constexpr auto kRoomWarningEvery = std::chrono::seconds(60);

std::string ErrnoText(int err) { return std::system_category().message(err); }

int MillisUntil(HttpClock::time_point t, HttpClock::time_point now) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count();
  return static_cast<int>(std::clamp<long long>(left, 0, kMaxPollMs));
}

void NameThisThread() { pthread_setname_np(pthread_self(), "crilet-http"); }

// Half the descriptor limit: the rest of crilet (the runtime's sockets, log files) keeps its share.
int ConnectionCap(int wanted) {
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur == RLIM_INFINITY) return wanted;
  return static_cast<int>(std::clamp<rlim_t>(nofile.rlim_cur / 2, 1, static_cast<rlim_t>(std::max(wanted, 1))));
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

std::string Answer(const HttpServerResponse& response, bool with_body) {
  std::string out = FormatResponseHead(response);
  if (with_body) out += response.body;
  return out;
}

std::string ErrorAnswer(int status, const std::string& body) {
  HttpServerResponse response;
  response.status = status;
  response.body = body;
  return Answer(response, true);
}

}  // namespace

HttpServer::HttpServer(Handler handler, HttpServerLimits limits) : handler_(std::move(handler)), limits_(limits) {
  limits_.max_connections = ConnectionCap(limits_.max_connections);
  limits_.workers = std::max(limits_.workers, 1);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Listen(const std::string& address, int port) {
  const std::string where = address + ":" + std::to_string(port);
  if (port < 0 || port > 65535) return Status::InvalidArgument("listen on " + where + ": port must be 0-65535");
  {
    std::lock_guard<std::mutex> l(mu_);
    if (started_) return Status::FailedPrecondition("listen on " + where + ": the server already started");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Status::InvalidArgument("listen on " + where + ": " + gai_strerror(rc));
  }
  std::string error = "no usable address";
  int listen_fd = -1;
  for (addrinfo* ai = found; ai != nullptr && listen_fd < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      error = ErrnoText(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, kBacklog) == 0) {
      listen_fd = fd;
    } else {
      error = ErrnoText(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd < 0) return Status::Unavailable("listen on " + where + ": " + error);

  if (wake_fd_ < 0) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
      error = ErrnoText(errno);
      close(listen_fd);
      return Status::Internal("listen on " + where + ": eventfd: " + error);
    }
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  ports_.push_back(bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port));
  listen_fds_.push_back(listen_fd);
  return Status::Ok();
}

Status HttpServer::Start() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (listen_fds_.empty() || stopping_) {
      return Status::FailedPrecondition("http server: Start without a successful Listen");
    }
    if (started_) return Status::FailedPrecondition("http server: already started");
    started_ = true;
  }
  try {
    loop_ = std::thread([this] { Loop(); });
    for (int i = 0; i < limits_.workers; i++) workers_.emplace_back([this] { WorkerLoop(); });
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
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (loop_.joinable()) loop_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  jobs_.clear();
  answers_.clear();
  for (int fd : listen_fds_) close(fd);
  listen_fds_.clear();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

void HttpServer::Loop() {
  NameThisThread();
  std::vector<pollfd> fds;
  const size_t first = 1 + listen_fds_.size();  // fds[0] wakes, then the listeners, then the connections
  std::vector<uint64_t> ids;  // fds[i + first] belongs to connection ids[i]
  while (!stopping_) {
    auto now = HttpClock::now();
    fds.clear();
    ids.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    // At the cap, accept only if an open connection may be closed for the new one (CloseOneForRoom).
    bool room = static_cast<int>(connections_.size()) < limits_.max_connections ||
                std::any_of(connections_.begin(), connections_.end(),
                            [](const auto& kv) { return kv.second.phase != ConnectionPhase::kHandling; });
    bool paused = now < accept_paused_until_;
    for (int fd : listen_fds_) fds.push_back({fd, static_cast<short>(room && !paused ? POLLIN : 0), 0});
    int timeout = paused ? MillisUntil(accept_paused_until_, now) + 1 : kMaxPollMs;
    for (auto& [id, c] : connections_) {
      if (c.phase == ConnectionPhase::kHandling) continue;
      fds.push_back({c.fd, static_cast<short>(c.phase == ConnectionPhase::kWriting ? POLLOUT : POLLIN), 0});
      ids.push_back(id);
      timeout = std::min(timeout, MillisUntil(c.deadline, now));
    }
    int n = poll(fds.data(), fds.size(), timeout);
    if (stopping_) break;
    if (n < 0 && errno != EINTR) {
      spdlog::warn("http server: poll: {}", ErrnoText(errno));
      poll(fds.data(), 1, 100);  // only the wake descriptor: Stop() still ends the wait
      continue;
    }
    now = HttpClock::now();
    if (n > 0 && fds[0].revents) {
      uint64_t count;
      (void)!read(wake_fd_, &count, sizeof count);
    }
    TakeAnswers(now);
    for (size_t i = 0; i < ids.size(); i++) {
      auto it = connections_.find(ids[i]);
      if (it == connections_.end()) continue;  // closed to make room while accepting
      short events = n > 0 ? fds[i + first].revents : 0;
      if (events != 0 || it->second.deadline <= now) Advance(&it->second, events, now);
    }
    for (size_t l = 0; l < listen_fds_.size(); l++) {
      if (n > 0 && (fds[1 + l].revents & POLLIN)) AcceptAll(l, now);
    }
  }
  for (auto& [id, c] : connections_) close(c.fd);
  connections_.clear();
}

void HttpServer::AcceptAll(size_t listener, HttpClock::time_point now) {
  for (int i = 0; i < kAcceptsPerRound; i++) {
    if (static_cast<int>(connections_.size()) >= limits_.max_connections && !CloseOneForRoom()) return;
    int fd = accept4(listen_fds_[listener], nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors or memory: free one of ours if we may, else wait rather than spin on a listener
        // that stays readable.
        if (!CloseOneForRoom()) accept_paused_until_ = now + std::chrono::milliseconds(100);
        spdlog::warn("http server: accept: {}", ErrnoText(errno));
      }
      return;  // EAGAIN: the backlog is empty
    }
    HttpConnection c;
    c.fd = fd;
    c.id = next_id_++;
    c.listener = static_cast<int>(listener);
    c.deadline = now + std::chrono::milliseconds(limits_.read_timeout_ms);
    connections_.emplace(c.id, std::move(c));
  }
}

bool HttpServer::CloseOneForRoom() {
  std::vector<ConnectionPhase> phases;
  std::vector<uint64_t> ids;
  phases.reserve(connections_.size());
  for (const auto& [id, c] : connections_) {
    phases.push_back(c.phase);
    ids.push_back(id);
  }
  int pick = PickConnectionToClose(phases);
  if (pick < 0) return false;
  CloseConnection(ids[pick]);
  closed_for_room_++;
  auto now = HttpClock::now();
  if (now - last_room_warning_ >= kRoomWarningEvery) {
    spdlog::warn("http server: {} connections open (the cap); closed the oldest idle one ({} so far)",
                 limits_.max_connections, closed_for_room_);
    last_room_warning_ = now;
  }
  return true;
}

void HttpServer::CloseConnection(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  close(it->second.fd);
  connections_.erase(it);
}

void HttpServer::Advance(HttpConnection* c, short events, HttpClock::time_point now) {
  const uint64_t id = c->id;
  switch (c->phase) {
    case ConnectionPhase::kReading: {
      IoStep step = events ? ReadAvailable(c, limits_.max_head_bytes + 1) : IoStep::kAgain;
      HeadCheck check = CheckHead(c->in, limits_.max_head_bytes);
      if (check.kind == HeadCheck::Kind::kRefused) return Refuse(c, check.status, std::string(check.problem) + "\n", now);
      if (check.kind == HeadCheck::Kind::kComplete) {
        c->phase = ConnectionPhase::kHandling;
        c->in.resize(check.end);
        {
          std::lock_guard<std::mutex> l(mu_);
          jobs_.push_back(Job{id, c->listener, std::move(c->in)});
        }
        c->in = std::string();
        work_cv_.notify_one();
        return;
      }
      // Closed or broken before a full head: a TCP health check, or a client giving up.
      if (step != IoStep::kAgain) return CloseConnection(id);
      if (c->deadline <= now) {
        return Refuse(c, 408, "request head not received within " + std::to_string(limits_.read_timeout_ms / 1000) + "s\n",
                      now);
      }
      return;
    }
    case ConnectionPhase::kWriting: {
      IoStep step = events ? WriteAvailable(c) : IoStep::kAgain;
      if (step == IoStep::kFailed || (step == IoStep::kAgain && c->deadline <= now)) return CloseConnection(id);
      if (step == IoStep::kDone) {
        shutdown(c->fd, SHUT_WR);
        c->phase = ConnectionPhase::kLingering;
        c->out = std::string();
        c->deadline = now + std::chrono::milliseconds(limits_.linger_ms);
      }
      return;
    }
    case ConnectionPhase::kLingering: {
      IoStep step = events ? DrainAvailable(c, limits_.linger_bytes) : IoStep::kAgain;
      if (step != IoStep::kAgain || c->deadline <= now) CloseConnection(id);
      return;
    }
    case ConnectionPhase::kHandling:
      return;
  }
}

void HttpServer::Refuse(HttpConnection* c, int status, const std::string& body, HttpClock::time_point now) {
  c->in = std::string();
  StartWriting(c, ErrorAnswer(status, body), now);
}

void HttpServer::StartWriting(HttpConnection* c, std::string answer, HttpClock::time_point now) {
  c->phase = ConnectionPhase::kWriting;
  c->out = std::move(answer);
  c->sent = 0;
  c->deadline = now + std::chrono::milliseconds(limits_.write_timeout_ms);
  Advance(c, POLLOUT, now);  // most answers fit the socket buffer at once
}

void HttpServer::TakeAnswers(HttpClock::time_point now) {
  std::deque<Job> done;
  {
    std::lock_guard<std::mutex> l(mu_);
    done.swap(answers_);
  }
  for (Job& job : done) {
    auto it = connections_.find(job.id);
    if (it != connections_.end()) StartWriting(&it->second, std::move(job.text), now);
  }
}

void HttpServer::WorkerLoop() {
  NameThisThread();
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      HttpServerRequest request;
      if (ParseRequestHead(job.text, &request)) {
        request.listener = job.listener;
        job.text = Answer(CallHandler(handler_, request), request.method != "HEAD");
      } else {
        job.text = ErrorAnswer(400, "malformed request line\n");  // CheckHead let it through: cannot happen
      }
    } catch (...) {  // out of memory while formatting: a short answer instead
      job.text = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      answers_.push_back(std::move(job));
    }
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
}

}  // namespace crilet::server
