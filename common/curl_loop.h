/// CurlLoop: HTTP(S) GETs on libcurl's multi-socket interface, driven by a caller's own poll() loop.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace crilet {

// The parts of an http(s) URL that errors name, by libcurl's parser (the one requests use). False, with
// *error set, for a URL libcurl would not fetch; "unsupported protocol scheme \"ftp\"" for another scheme.
struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // without IPv6 brackets
  int port = 0;        // the scheme's default when the URL has none
  std::string HostPort() const;  // "host:port", IPv6 in brackets
};
bool ParseHttpUrl(const std::string& url, UrlParts* parts, std::string* error);

// One CURLM handle and the requests running on it. The owner's loop asks which sockets libcurl waits on
// (AppendPollFds) and until when (NextDeadline), polls them next to its own fds, and hands the results back
// (Process); libcurl then reads and writes without blocking and each request ends in its callback. Nothing
// here blocks: host names are resolved by libcurl's threaded resolver (Debian's libcurl 7.88 is built with
// AsynchDNS and without c-ares), and that resolver thread is the only thread libcurl starts.
// Not thread-safe: every call, and every callback, happens on the owner's loop thread. Callbacks may start
// and cancel requests (but not call Process). Destroying the loop drops the requests still running without
// calling their callbacks.
class CurlLoop {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using RequestId = uint64_t;

  struct Request {
    std::string url;  // http:// or https:// only
    Headers headers;  // sent as given (an empty value is sent empty); libcurl adds Host unless given here
    std::chrono::milliseconds timeout{10000};  // the whole exchange, connect included
    size_t max_body = 10 * 1024;
    // Past max_body: keep the first max_body bytes and end the request as answered (kubelet's probes read
    // 10 KiB and stop), or end it as kTooLarge (a manifest that does not fit is not cut).
    bool truncate_body = true;
    bool verify_tls = true;  // kubelet's probes set this false (InsecureSkipVerify)
    bool reuse_connection = false;  // kubelet's probes disable keep-alive: one connection per request
    // An answer that does not start with "HTTP/" is taken as an HTTP/0.9 body (status 0) instead of failing,
    // so that a caller can word its own error from the bytes (httpGet probes quote them as Go does).
    bool allow_http09 = false;
    // Only resolve and connect (tcpSocket probes by host name): the request ends, answered with status 0,
    // once the connection is up; nothing is sent.
    bool connect_only = false;
  };

  // kEmptyReply: the server closed without a byte of answer; kCutShort: it closed before the announced body
  // was all there; kHeadTooLarge: the answer's head was past libcurl's limits (100 KiB a line, 300 KiB in all).
  enum class Failure {
    kNone, kBadUrl, kResolve, kConnect, kTimeout, kTls, kTooLarge, kEmptyReply, kCutShort, kHeadTooLarge,
    kProtocol, kOther
  };

  struct Response {
    Failure failure = Failure::kNone;
    std::string error;  // libcurl's sentence for a failure, e.g. "Failed to connect to 127.0.0.1 port 9: ..."
    int os_errno = 0;   // errno of a failed connect, when libcurl saw one
    long status = 0;    // the final answer's status; 0 when no head arrived
    Headers headers;    // the final answer's header fields, in order (names as sent)
    std::string body;
    bool truncated = false;  // the body was cut at max_body (truncate_body)
    // Redirects are the caller's (kubelet's probe rules are its own): a 3xx answer's Location, resolved
    // against the request URL; empty when the answer has none.
    std::string redirect_url;
    bool ok() const { return failure == Failure::kNone; }
    std::string Header(const std::string& name) const;  // first field by that name, case-insensitively
  };

  using Done = std::function<void(Response)>;

  CurlLoop();
  ~CurlLoop();
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Starts a GET; `done` runs once, from a later Process (never from inside Start). Never blocks.
  RequestId Start(const Request& request, Done done);
  // Drops a request; its callback is not called (also when it ended in the Process now calling callbacks).
  // Unknown and reported ids are ignored.
  void Cancel(RequestId id);
  size_t running() const { return transfers_.size(); }

  // One pollfd per socket libcurl waits on now (events POLLIN and/or POLLOUT).
  void AppendPollFds(std::vector<pollfd>* fds) const;
  // When Process must be called even if no socket is ready; SteadyTime::max() when libcurl set no timer.
  SteadyTime NextDeadline() const;
  // After the caller's poll: `fds` are the entries AppendPollFds added, with revents filled in. Drives
  // libcurl for each ready socket and for the timer when it is due, then calls the callbacks of the requests
  // that ended. `now` decides whether the timer is due.
  void Process(const pollfd* fds, size_t count, SteadyTime now);

  // For callers without a loop of their own (and tests): one poll of libcurl's sockets for at most
  // max_wait, then Process. Returns at once when nothing is running.
  void Poll(std::chrono::milliseconds max_wait);

 private:
  struct Transfer;
  static int OnSocket(void* easy, int fd, int what, void* self, void* socket_data);
  static int OnTimer(void* multi, long timeout_ms, void* self);
  void Act(int fd, int mask);
  void Finish();

  void* multi_ = nullptr;  // CURLM*, kept out of this header so that only curl_loop.cc includes curl.h
  std::map<int, short> sockets_;  // fd -> poll events libcurl asked for
  SteadyTime deadline_ = SteadyTime::max();
  RequestId next_id_ = 1;
  std::map<RequestId, std::unique_ptr<Transfer>> transfers_;
  std::vector<RequestId> early_;  // failed in Start; their callbacks run in the next Process
  std::vector<std::unique_ptr<Transfer>> finishing_;  // ended; Finish is calling their callbacks
};

}  // namespace crilet
