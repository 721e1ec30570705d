/// ConcurrentServer: a poll-based HTTP server on 127.0.0.1 for unit tests that holds many connections at once.
#pragma once

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loopback.h"

namespace crilet::testing {

// A poll-based HTTP server on 127.0.0.1 that holds many connections at once. handler(path) gives the raw
// answer; "" keeps the connection open without answering. With hold_for = N, no answer is written before N
// requests have arrived, so a client that sends one request at a time would never get one.
class ConcurrentServer {
 public:
  explicit ConcurrentServer(std::function<std::string(const std::string& path)> handler, int hold_for = 0)
      : handler_(std::move(handler)), hold_for_(hold_for) {
    fd_ = BindLoopback(&port_);
    listen(fd_, 128);
    if (pipe(stop_pipe_) != 0) throw std::runtime_error("pipe");
    thread_ = std::thread([this] { Serve(); });
  }
  ~ConcurrentServer() {
    (void)!write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (auto& [c, _] : clients_) close(c);
    close(fd_);
    close(stop_pipe_[0]);
    close(stop_pipe_[1]);
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last_request() {
    std::lock_guard<std::mutex> l(mu_);
    return last_;
  }
  int requests() const { return requests_; }

 private:
  struct Client {
    std::string in;
    std::optional<std::string> answer;  // decided, not yet written (held)
  };
  void Serve() {
    for (;;) {
      std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
      for (auto& [c, _] : clients_) fds.push_back(pollfd{c, POLLIN, 0});
      poll(fds.data(), fds.size(), 20);
      if (fds[0].revents) return;
      if (fds[1].revents) {
        int c = accept(fd_, nullptr, nullptr);
        if (c >= 0) clients_[c];
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Client& cl = clients_[fds[i].fd];
        char buf[4096];
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          close(fds[i].fd);
          clients_.erase(fds[i].fd);
          continue;
        }
        cl.in.append(buf, n);
        if (cl.answer || cl.in.find("\r\n\r\n") == std::string::npos) continue;
        {
          std::lock_guard<std::mutex> l(mu_);
          last_ = cl.in;
        }
        ++requests_;
        std::string path = cl.in.substr(4, cl.in.find(' ', 4) - 4);
        cl.answer = handler_(path);
      }
      if (requests_ < hold_for_) continue;
      for (auto it = clients_.begin(); it != clients_.end();) {
        if (it->second.answer && !it->second.answer->empty()) {
          (void)!write(it->first, it->second.answer->data(), it->second.answer->size());
          close(it->first);
          it = clients_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  std::function<std::string(const std::string&)> handler_;
  int hold_for_;
  int fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  std::map<int, Client> clients_;  // only the server thread touches these
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

}  // namespace crilet::testing
