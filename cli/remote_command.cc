// The exec/attach session: one poll loop over the SPDY socket, local stdin and the window-change fd.
#include "cli/remote_command.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/spdy_connection.h"

namespace crilet::cli {
namespace {

constexpr size_t kMaxQueued = 1 << 20;  // stop reading stdin while this much waits for the socket
constexpr size_t kMaxErrorStream = 64 * 1024;

// Writes all of `data`, waiting when `fd` is non-blocking and full.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, -1);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

class Session : public SpdyListener {
 public:
  uint32_t error_id = 0, stdin_id = 0, stdout_id = 0, stderr_id = 0, resize_id = 0;
  int out_fd = 1, err_fd = 2;
  std::string error_text;
  bool error_done = false, stdout_done = true, stderr_done = true;
  int replies_wanted = 0;
  bool local_output_broken = false;

  void OnReply(uint32_t) override { --replies_wanted; }
  void OnData(uint32_t id, std::string_view data) override {
    if (id == error_id) {
      if (error_text.size() < kMaxErrorStream) error_text.append(data.substr(0, kMaxErrorStream - error_text.size()));
    } else if (id == stdout_id || id == stderr_id) {
      if (!WriteAll(id == stdout_id ? out_fd : err_fd, data)) local_output_broken = true;
    }
  }
  void OnRemoteFin(uint32_t id) override { Done(id); }
  void OnReset(uint32_t id, uint32_t) override { Done(id); }
  bool finished() const { return error_done && stdout_done && stderr_done; }

 private:
  void Done(uint32_t id) {
    if (id == error_id) error_done = true;
    if (id == stdout_id) stdout_done = true;
    if (id == stderr_id) stderr_done = true;
  }
};

}  // namespace

RemoteCommandResult ParseRemoteStatus(std::string_view error_stream) {
  RemoteCommandResult r;
  if (error_stream.empty()) return r;
  nlohmann::json status = nlohmann::json::parse(error_stream, nullptr, false);
  if (status.is_discarded() || !status.is_object()) {
    r.exit_code = 1;
    r.error = std::string(error_stream);  // v1-v3 servers wrote plain text here
    return r;
  }
  if (status.value("status", "") == "Success") return r;
  if (status.value("reason", "") == "NonZeroExitCode" && status.contains("details")) {
    for (const auto& cause : status["details"].value("causes", nlohmann::json::array())) {
      if (cause.value("reason", "") != "ExitCode") continue;
      std::string code = cause.value("message", "");
      char* end = nullptr;
      long v = std::strtol(code.c_str(), &end, 10);
      if (!code.empty() && end && *end == '\0') {
        r.exit_code = static_cast<int>(v);
        return r;
      }
      r.exit_code = 1;
      r.error = "invalid exit code \"" + code + "\" in the server's status";
      return r;
    }
  }
  r.exit_code = 1;
  r.error = status.value("message", std::string(error_stream));
  return r;
}

std::string TerminalSizeMessage(const TerminalSize& size) {
  return "{\"Width\":" + std::to_string(size.width) + ",\"Height\":" + std::to_string(size.height) + "}";
}

Status RunRemoteCommand(const std::string& url, const RemoteCommandOptions& opts, const RemoteCommandIo& io,
                        RemoteCommandResult* result) {
  std::unique_ptr<SpdyConnection> conn;
  std::string protocol;
  if (Status s = SpdyConnection::Dial(url, {"v4.channel.k8s.io"}, std::chrono::seconds(30), &conn, &protocol); !s.ok()) {
    return s;
  }
  if (protocol != "v4.channel.k8s.io") {
    return Status::Unavailable("the streaming server chose protocol \"" + protocol + "\"; crilet speaks v4.channel.k8s.io");
  }
  Session session;
  session.out_fd = io.out;
  session.err_fd = io.err;
  auto open = [&](const char* type) {
    ++session.replies_wanted;
    return conn->OpenStream({{"streamtype", type}});
  };
  // kubectl's order: error first, so a failure to start is never lost.
  session.error_id = open("error");
  if (opts.stdin) session.stdin_id = open("stdin");
  if (opts.stdout) {
    session.stdout_id = open("stdout");
    session.stdout_done = false;
  }
  if (opts.stderr && !opts.tty) {
    session.stderr_id = open("stderr");
    session.stderr_done = false;
  }
  if (opts.tty) session.resize_id = open("resize");

  bool started = false, stdin_open = opts.stdin;
  std::optional<TerminalSize> last_size;
  auto send_size = [&] {
    if (!session.resize_id || !io.size) return;
    auto size = io.size();
    if (!size || (last_size && last_size->width == size->width && last_size->height == size->height)) return;
    last_size = size;
    conn->Write(session.resize_id, TerminalSizeMessage(*size));
  };
  while (!session.finished()) {
    if (!started && session.replies_wanted <= 0) {
      started = true;
      send_size();
    }
    pollfd fds[4];
    int n = 0;
    fds[n++] = {conn->fd(), static_cast<short>(POLLIN | (conn->WantsWrite() ? POLLOUT : 0)), 0};
    int in_slot = -1, resize_slot = -1;
    if (started && stdin_open && conn->Queued() < kMaxQueued) {
      in_slot = n;
      fds[n++] = {io.in, POLLIN, 0};
    }
    if (started && io.resize_fd >= 0 && session.resize_id) {
      resize_slot = n;
      fds[n++] = {io.resize_fd, POLLIN, 0};
    }
    int stop_slot = -1;
    if (io.stop_fd >= 0) {
      stop_slot = n;
      fds[n++] = {io.stop_fd, POLLIN, 0};
    }
    if (poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      return Status::Internal(std::string("poll: ") + std::strerror(errno));
    }
    if (stop_slot >= 0 && (fds[stop_slot].revents & POLLIN)) return Status::Unavailable("interrupted");
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (Status s = conn->OnReadable(&session); !s.ok()) return s;
    }
    if (session.local_output_broken) return Status::Unavailable("writing the command's output failed: " + std::string(std::strerror(errno)));
    if (in_slot >= 0 && (fds[in_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[32 * 1024];
      ssize_t got = read(io.in, buf, sizeof buf);
      if (got > 0) {
        conn->Write(session.stdin_id, std::string_view(buf, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_open = false;  // EOF: the remote command's stdin ends too
        conn->CloseStream(session.stdin_id);
      }
    }
    if (resize_slot >= 0 && (fds[resize_slot].revents & POLLIN)) {
      char drain[128];  // signalfd records: only "it changed" matters
      while (read(io.resize_fd, drain, sizeof drain) > 0) {
      }
      send_size();
    }
    if (conn->WantsWrite()) {
      if (Status s = conn->OnWritable(); !s.ok()) return s;
    }
    if (conn->closed() && !session.finished()) {
      if (session.error_done || !session.error_text.empty()) break;  // the verdict arrived; output may be cut
      return Status::Unavailable("lost the connection to the streaming server before the command ended");
    }
  }
  *result = ParseRemoteStatus(session.error_text);
  return Status::Ok();
}

}  // namespace crilet::cli
