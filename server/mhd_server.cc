// MhdServer: the listening socket, libmicrohttpd's daemon and callbacks, and room-making at the connection cap.
#include "server/mhd_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <string_view>
#include <system_error>

#include <spdlog/spdlog.h>

#include "common/logging.h"

namespace crilet::server {
namespace {

constexpr int kBacklog = 512;
// Connections above the cap that libmicrohttpd still accepts: it may accept several in a row before its next
// round sees the ones shut down for room go, so a burst at the cap is not refused outright.
constexpr int kAcceptHeadroom = 12;
constexpr auto kRoomWarningEvery = std::chrono::seconds(60);

std::string ErrnoText(int err) { return std::system_category().message(err); }

// Half the descriptor limit: the rest of crilet (the runtime's sockets, log files) keeps its share.
int ConnectionCap(int wanted) {
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur == RLIM_INFINITY) return wanted;
  return static_cast<int>(std::clamp<rlim_t>(nofile.rlim_cur / 2, 1, static_cast<rlim_t>(std::max(wanted, 1))));
}

// Binds and listens; the descriptor, or -1 with *error set.
int ListenSocket(const std::string& address, int port, int* bound_port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    *error = gai_strerror(rc);
    return -1;
  }
  *error = "no usable address";
  int listen_fd = -1;
  for (addrinfo* ai = found; ai != nullptr && listen_fd < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      *error = ErrnoText(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, kBacklog) == 0) {
      listen_fd = fd;
    } else {
      *error = ErrnoText(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd < 0) return -1;
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  *bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                            : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return listen_fd;
}

// "http://host:10255/pods" (the absolute form HTTP/1.1 servers must accept) -> "/pods".
std::string OriginPath(const char* url) {
  std::string path = url ? url : "";
  for (std::string_view scheme : {"http://", "https://"}) {
    if (path.compare(0, scheme.size(), scheme) == 0) {
      size_t slash = path.find('/', scheme.size());
      return slash == std::string::npos ? "/" : path.substr(slash);
    }
  }
  return path;
}

MHD_Result AddQueryArgument(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr && *key != '\0') query->emplace(key, value ? value : "");  // the first one wins
  return MHD_YES;
}

void LogFromLibrary(void*, const char* format, va_list args) {
  if (!V(4)) return;  // hostile clients would flood the log otherwise
  char line[512];
  vsnprintf(line, sizeof line, format, args);
  std::string text = line;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::debug("http server: {}", text);
}

}  // namespace

int PickConnectionToClose(const std::vector<bool>& has_request_oldest_first) {
  for (bool with_request : {false, true}) {
    for (size_t i = 0; i < has_request_oldest_first.size(); i++) {
      if (has_request_oldest_first[i] == with_request) return static_cast<int>(i);
    }
  }
  return -1;
}

struct MhdServer::State {
  struct Open {  // one accepted connection
    int fd = -1;                  // libmicrohttpd's; only shut down here, never closed
    bool has_request = false;     // its head arrived and it was answered
    bool closing = false;         // shut down for room; libmicrohttpd closes it next round
  };

  Handler handler;
  int cap = 0;
  MHD_Daemon* daemon = nullptr;
  // libmicrohttpd's thread only (its callbacks), then Stop() after the thread is joined.
  std::map<uint64_t, Open> open;  // by id, so oldest first
  uint64_t next_id = 1;
  int closing = 0;                // entries of `open` with closing set
  uint64_t closed_for_room = 0;
  std::chrono::steady_clock::time_point last_room_warning{};

  // At the cap, shuts down the connection PickConnectionToClose names: libmicrohttpd sees the end of the
  // stream on its next round and closes it, which frees its slot.
  void MakeRoom() {
    if (static_cast<int>(open.size()) - closing <= cap) return;
    std::vector<bool> has_request;
    std::vector<Open*> candidates;
    for (auto& [id, c] : open) {
      if (c.closing) continue;
      has_request.push_back(c.has_request);
      candidates.push_back(&c);
    }
    int pick = PickConnectionToClose(has_request);
    if (pick < 0) return;
    shutdown(candidates[pick]->fd, SHUT_RDWR);
    candidates[pick]->closing = true;
    closing++;
    closed_for_room++;
    auto now = std::chrono::steady_clock::now();
    if (now - last_room_warning >= kRoomWarningEvery) {
      spdlog::warn("http server: {} connections open (the cap); closed the oldest idle one ({} so far)", cap,
                   closed_for_room);
      last_room_warning = now;
    }
  }

  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<State*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      uint64_t id = self->next_id++;
      self->open[id].fd = info ? info->connect_fd : -1;
      *socket_context = reinterpret_cast<void*>(static_cast<uintptr_t>(id));
      self->MakeRoom();
      return;
    }
    auto it = self->open.find(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(*socket_context)));
    if (it == self->open.end()) return;
    if (it->second.closing) self->closing--;
    self->open.erase(it);
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                              const char*, const char*, size_t*, void**) {
    auto* self = static_cast<State*>(cls);
    // Answered on the first call, when the head is complete: a body is never read (libmicrohttpd then closes
    // the connection after the answer instead of reading on).
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info != nullptr) {
      auto it = self->open.find(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(info->socket_context)));
      if (it != self->open.end()) it->second.has_request = true;
    }
    HttpRequest request;
    request.method = method ? method : "";
    request.path = OriginPath(url);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, AddQueryArgument, &request.query);
    HttpResponse response;
    try {
      response = self->handler(request);
    } catch (const std::exception& e) {
      spdlog::warn("http server: {} {} failed: {}", request.method, request.path, e.what());
      response = HttpResponse{500, "text/plain; charset=utf-8", "internal server error\n", {}};
    } catch (...) {
      spdlog::warn("http server: {} {} failed with an unknown exception", request.method, request.path);
      response = HttpResponse{500, "text/plain; charset=utf-8", "internal server error\n", {}};
    }
    return Queue(connection, response);
  }

  static void FreeBody(void* body) { delete static_cast<std::string*>(body); }

  static MHD_Result Queue(MHD_Connection* connection, HttpResponse& answer) {
    // The body is handed over, not copied: libmicrohttpd frees it once the answer is sent.
    auto* body = new std::string(std::move(answer.body));
    MHD_Response* r =
        MHD_create_response_from_buffer_with_free_callback_cls(body->size(), body->data(), &FreeBody, body);
    if (r == nullptr) {  // out of memory: libmicrohttpd closes the connection
      delete body;
      return MHD_NO;
    }
    // libmicrohttpd refuses names and values holding CR or LF, so a header cannot end the head early.
    if (!answer.content_type.empty()) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, answer.content_type.c_str());
    for (const auto& [name, value] : answer.headers) MHD_add_response_header(r, name.c_str(), value.c_str());
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(answer.status), r);
    MHD_destroy_response(r);
    return queued;
  }
};

MhdServer::MhdServer(Handler handler, HttpServerLimits limits) : limits_(limits), state_(std::make_unique<State>()) {
  limits_.max_connections = ConnectionCap(limits_.max_connections);
  state_->handler = std::move(handler);
  state_->cap = limits_.max_connections;
}

MhdServer::~MhdServer() { Stop(); }

Status MhdServer::Start(const std::string& address, int port) {
  const std::string where = address + ":" + std::to_string(port);
  if (port < 0 || port > 65535) return Status::InvalidArgument("listen on " + where + ": port must be 0-65535");
  if (state_->daemon != nullptr) return Status::FailedPrecondition("listen on " + where + ": already serving");
  std::string error;
  int bound = 0;
  int fd = ListenSocket(address, port, &bound, &error);
  if (fd < 0) return Status::Unavailable("listen on " + where + ": " + error);
  // libmicrohttpd owns the socket it serves (it closes it when stopped); it gets a copy, so a failed start
  // cannot leave this code closing a descriptor twice.
  int served = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  close(fd);
  if (served < 0) return Status::Internal("listen on " + where + ": " + ErrnoText(errno));
  state_->daemon = MHD_start_daemon(
      MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr, &State::OnRequest, state_.get(),
      MHD_OPTION_LISTEN_SOCKET, served,
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(limits_.max_connections + kAcceptHeadroom),
      MHD_OPTION_CONNECTION_TIMEOUT, limits_.idle_timeout_s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits_.memory_per_connection,
      MHD_OPTION_NOTIFY_CONNECTION, &State::OnConnection, state_.get(),
      MHD_OPTION_EXTERNAL_LOGGER, &LogFromLibrary, nullptr,
      MHD_OPTION_END);
  if (state_->daemon == nullptr) {
    return Status::Internal("listen on " + where + ": libmicrohttpd could not start serving");
  }
  port_ = bound;
  return Status::Ok();
}

void MhdServer::Stop() {
  if (state_->daemon == nullptr) return;
  MHD_stop_daemon(state_->daemon);  // closes every connection and the socket, and joins the thread
  state_->daemon = nullptr;
  state_->open.clear();
  state_->closing = 0;
}

}  // namespace crilet::server
