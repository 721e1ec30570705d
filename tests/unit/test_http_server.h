/// TestHttpServer: a tiny HTTP server on 127.0.0.1 for unit tests (one request per connection).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "loopback.h"

namespace crilet::testing {

// Answers each connection from handler(path, request) -> raw response ("" = close without answering).
class TestHttpServer {
 public:
  explicit TestHttpServer(std::function<std::string(const std::string& path, const std::string& request)> handler)
      : handler_(std::move(handler)) {
    fd_ = BindLoopback(&port_);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestHttpServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string last_request() {
    std::lock_guard<std::mutex> l(mu_);
    return last_;
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      ssize_t n = read(c, buf, sizeof buf);
      std::string req(buf, n > 0 ? n : 0);
      {
        std::lock_guard<std::mutex> l(mu_);
        last_ = req;
      }
      // A TCP check connects and closes without a request: no path.
      std::string path = req.size() > 4 ? req.substr(4, req.find(' ', 4) - 4) : "";
      std::string resp = handler_(path, req);
      if (!resp.empty()) (void)!write(c, resp.data(), resp.size());
      close(c);
    }
  }
  std::function<std::string(const std::string&, const std::string&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

}  // namespace crilet::testing
