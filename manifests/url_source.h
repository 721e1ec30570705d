/// UrlSource: static pods from an HTTP URL (a Pod or a PodList), polled every period.
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
#include "manifests/url_conditional.h"
#include "manifests/url_fetch.h"

namespace crilet::manifests {

class UrlSource {
 public:
  struct Options {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string node_name;
    std::chrono::nanoseconds period = std::chrono::seconds(20);
  };
  // on_change(state) after each fetch that changed the pods or the problems, on the polling thread (and in
  // Start). A non-200 answer, a transport error or an invalid body keeps the previous pods and reports the
  // problem (kubelet keeps them too); state.ever_valid is set once an answer was usable (kubelet's "seen").
  // Requests are conditional once a manifest loaded (If-None-Match / If-Modified-Since): a 304 keeps the
  // pods without parsing anything again.
  UrlSource(Options options, std::function<void(const FileState&)> on_change);
  ~UrlSource();
  UrlSource(const UrlSource&) = delete;
  UrlSource& operator=(const UrlSource&) = delete;

  void Start();    // fetches once (at most the 10 s timeout), then polls on a thread
  void Stop();     // prompt, even during a fetch
  void Rescan();   // fetch now
  void FetchOnce();

 private:
  void Run();

  Options options_;
  std::function<void(const FileState&)> on_change_;
  FileState state_;
  // Of the answer state_.pods came from, and that load's warnings (a 304 keeps both); polling thread only.
  UrlValidators validators_;
  std::vector<FieldError> loaded_warnings_;
  std::mutex mu_;  // guards wake_ for the condition variable
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace crilet::manifests
