/// UrlSource: static pods from an HTTP URL (a Pod or a PodList), polled every period with libcurl.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "manifests/dir_source.h"

namespace crilet::manifests {

// Fetches a URL; returns the HTTP status (0 on transport failure, with *error set).
long HttpFetch(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::string* body, std::string* error);

class UrlSource {
 public:
  struct Options {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string node_name;
    std::chrono::nanoseconds period = std::chrono::seconds(20);
  };
  // on_change(state) after each fetch that changed the pods or the problems. A non-200 answer or a
  // transport error keeps the previous pods and reports the problem (kubelet keeps them too).
  UrlSource(Options options, std::function<void(const FileState&)> on_change);
  ~UrlSource();

  void Start();
  void Stop();
  void Rescan();
  void FetchOnce();

 private:
  void Run();

  Options options_;
  std::function<void(const FileState&)> on_change_;
  FileState state_;
  std::mutex mu_;  // guards wake_ for the condition variable
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace crilet::manifests
