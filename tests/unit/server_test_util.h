/// Helpers for the server unit tests: a raw-socket HTTP client and accessors for the raw response it reads.
#pragma once

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace crilet::testing {

// One TCP connection to host:port, driven byte by byte so tests can send broken or partial requests.
class RawClient {
 public:
  RawClient(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
    fd_ = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && connect(fd_, found->ai_addr, found->ai_addrlen) != 0) {
      close(fd_);
      fd_ = -1;
    }
    freeaddrinfo(found);
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool ShutdownWrite() { return fd_ >= 0 && shutdown(fd_, SHUT_WR) == 0; }
  bool Send(const std::string& data) {
    size_t sent = 0;
    while (fd_ >= 0 && sent < data.size()) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }
  // Reads until the server closes the connection or `limit` passes; *closed says which.
  std::string ReadAll(std::chrono::milliseconds limit = std::chrono::seconds(3), bool* closed = nullptr) {
    std::string out;
    auto end = std::chrono::steady_clock::now() + limit;
    if (closed) *closed = false;
    while (fd_ >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

// Sends one request on a fresh connection and returns everything the server sent before closing.
inline std::string Exchange(int port, const std::string& request, const std::string& host = "127.0.0.1") {
  RawClient c(host, port);
  if (!c.connected() || !c.Send(request)) return "";
  return c.ReadAll();
}

inline std::string Get(int port, const std::string& target, const std::string& method = "GET") {
  return Exchange(port, method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n");
}

// 200 from "HTTP/1.1 200 OK\r\n..."; 0 if there is no status line.
inline int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// The value of a header ("" if absent); names compare exactly as crilet writes them.
inline std::string HeaderOf(const std::string& response, const std::string& name) {
  size_t end = response.find("\r\n\r\n");
  size_t at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos || at >= end) return "";
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

inline std::string BodyOf(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

inline std::chrono::milliseconds ElapsedSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t);
}

}  // namespace crilet::testing
