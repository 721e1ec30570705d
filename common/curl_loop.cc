// libcurl's multi-socket interface behind CurlLoop: socket and timer callbacks recorded for the caller's poll.
#include "common/curl_loop.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <mutex>

namespace crilet {

namespace {

// curl_global_init is not safe to race with other threads' first use of libcurl; once per process.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

bool HasHeader(const CurlLoop::Headers& headers, const char* name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return strcasecmp(h.first.c_str(), name) == 0; });
}

CurlLoop::Failure Classify(CURLcode code) {
  using F = CurlLoop::Failure;
  switch (code) {
    case CURLE_OK: return F::kNone;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return F::kBadUrl;
    case CURLE_COULDNT_RESOLVE_HOST: return F::kResolve;
    case CURLE_COULDNT_CONNECT: return F::kConnect;
    case CURLE_OPERATION_TIMEDOUT: return F::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR: return F::kTls;
    case CURLE_FILESIZE_EXCEEDED: return F::kTooLarge;
    // libcurl 7.88 ends a transfer whose header line passes CURL_MAX_HTTP_HEADER (100 KiB) with this code and
    // no sentence; a real allocation failure is not told apart.
    case CURLE_OUT_OF_MEMORY: return F::kHeadTooLarge;
    case CURLE_GOT_NOTHING: return F::kEmptyReply;
    case CURLE_PARTIAL_FILE: return F::kCutShort;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_BAD_CONTENT_ENCODING: return F::kProtocol;
    default: return F::kOther;
  }
}

}  // namespace

struct CurlLoop::Transfer {
  RequestId id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  size_t max_body = 0;
  bool truncate_body = true;
  bool over_cap = false;
  bool ended = false;  // failed before libcurl saw it; reported by the next Process
  Response response;
  Done done;
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(header_list);
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t n = size * count;
    size_t room = t->max_body - t->response.body.size();
    if (n <= room) {
      t->response.body.append(data, n);
      return n;
    }
    t->response.body.append(data, room);
    t->over_cap = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR; Finish tells the cap from a real error
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      t->response.headers.clear();  // a new head (after 100 Continue): only the final answer's fields count
    } else if (auto colon = line.find(':'); colon != std::string::npos && colon > 0) {
      size_t v = line.find_first_not_of(" \t", colon + 1);
      t->response.headers.emplace_back(line.substr(0, colon), v == std::string::npos ? "" : line.substr(v));
    }
    return size * count;
  }
};

std::string UrlParts::HostPort() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ParseHttpUrl(const std::string& url, UrlParts* parts, std::string* error) {
  CURLU* u = curl_url();
  auto part = [&](CURLUPart which, unsigned flags, std::string* out) {
    char* v = nullptr;
    CURLUcode rc = curl_url_get(u, which, &v, flags);
    if (rc == CURLUE_OK && v) *out = v;
    curl_free(v);
    return rc;
  };
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  std::string port;
  if (rc == CURLUE_OK) rc = part(CURLUPART_SCHEME, 0, &parts->scheme);
  if (rc == CURLUE_OK && parts->scheme != "http" && parts->scheme != "https") {
    *error = "unsupported protocol scheme \"" + parts->scheme + "\"";
    curl_url_cleanup(u);
    return false;
  }
  if (rc == CURLUE_OK) rc = part(CURLUPART_HOST, 0, &parts->host);
  if (rc == CURLUE_OK) rc = part(CURLUPART_PORT, CURLU_DEFAULT_PORT, &port);
  curl_url_cleanup(u);
  if (rc != CURLUE_OK) {
    *error = "invalid URL \"" + url + "\": " + curl_url_strerror(rc);
    return false;
  }
  if (parts->host.size() > 1 && parts->host.front() == '[') parts->host = parts->host.substr(1, parts->host.size() - 2);
  parts->port = std::stoi(port);
  return true;
}

std::string CurlLoop::Response::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

CurlLoop::CurlLoop() {
  GlobalInit();
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlLoop::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlLoop::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlLoop::~CurlLoop() {
  for (auto& [id, t] : transfers_) {
    if (t->easy && !t->ended) curl_multi_remove_handle(multi_, t->easy);
  }
  transfers_.clear();
  curl_multi_cleanup(multi_);
}

CurlLoop::RequestId CurlLoop::Start(const Request& request, Done done) {
  const RequestId id = next_id_++;
  auto t = std::make_unique<Transfer>();
  t->id = id;
  t->max_body = request.max_body;
  t->truncate_body = request.truncate_body;
  t->done = std::move(done);
  auto fail_early = [&](std::string why) {
    t->ended = true;
    t->response.failure = Failure::kBadUrl;
    t->response.error = std::move(why);
    early_.push_back(id);
    transfers_.emplace(id, std::move(t));
    return id;
  };
  if (HasLineBreak(request.url)) return fail_early("invalid URL: it holds a line break");
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) || name.find(':') != std::string::npos) {
      return fail_early("invalid header field \"" + name + "\"");
    }
    // libcurl drops a header given as "Name:"; "Name;" is its way to send one with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    t->header_list = curl_slist_append(t->header_list, line.c_str());
  }
  // libcurl's default Accept: */* would be a header nobody asked for.
  if (!HasHeader(request.headers, "Accept")) t->header_list = curl_slist_append(t->header_list, "Accept:");
  t->easy = curl_easy_init();
  if (!t->easy) return fail_early("libcurl could not create a request");
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are the caller's (Response::redirect_url)
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, request.timeout.count())));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM around name lookups: the resolver is a thread
  // A request that times out or is cancelled while its resolver thread still waits on getaddrinfo would
  // join that thread (10 s with glibc's defaults and a silent name server) inside socket_action or
  // remove_handle, on the caller's loop. QUICK_EXIT detaches the thread instead; it frees itself when
  // getaddrinfo returns.
  curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");     // http_proxy in the daemon's environment is not for pods
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, request.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, request.verify_tls ? 2L : 0L);
  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, request.reuse_connection ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  if (request.allow_http09) curl_easy_setopt(e, CURLOPT_HTTP09_ALLOWED, 1L);
  if (request.connect_only) curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
  if (!request.truncate_body) {
    // A Content-Length over the cap is refused before any of the body is read.
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body));
  }
  if (curl_multi_add_handle(multi_, e) != CURLM_OK) return fail_early("libcurl could not start a request");
  transfers_.emplace(id, std::move(t));  // libcurl set its timer to 0 in add_handle: Process starts it
  return id;
}

void CurlLoop::Cancel(RequestId id) {
  for (auto& t : finishing_) {
    if (t->id == id) t->done = nullptr;  // ended in this Process, its callback not yet run: it will not be
  }
  auto it = transfers_.find(id);
  if (it == transfers_.end()) return;
  if (it->second->easy && !it->second->ended) curl_multi_remove_handle(multi_, it->second->easy);
  transfers_.erase(it);
}

void CurlLoop::AppendPollFds(std::vector<pollfd>* fds) const {
  for (const auto& [fd, events] : sockets_) fds->push_back(pollfd{fd, events, 0});
}

CurlLoop::SteadyTime CurlLoop::NextDeadline() const {
  return early_.empty() ? deadline_ : SteadyTime{};  // a request that failed in Start is due at once
}

int CurlLoop::OnSocket(void*, int fd, int what, void* self, void*) {
  auto* loop = static_cast<CurlLoop*>(self);
  if (what == CURL_POLL_REMOVE) {
    loop->sockets_.erase(fd);
  } else {
    short events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= POLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= POLLOUT;
    loop->sockets_[fd] = events;
  }
  return 0;
}

int CurlLoop::OnTimer(void*, long timeout_ms, void* self) {
  auto* loop = static_cast<CurlLoop*>(self);
  // libcurl forbids calling socket_action from here; the caller's loop calls Process when this is due.
  loop->deadline_ = timeout_ms < 0 ? SteadyTime::max()
                                   : std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

void CurlLoop::Act(int fd, int mask) {
  int still_running = 0;
  curl_multi_socket_action(multi_, fd, mask, &still_running);
}

void CurlLoop::Process(const pollfd* fds, size_t count, SteadyTime now) {
  for (size_t i = 0; i < count; ++i) {
    const short r = fds[i].revents;
    if (r == 0 || !sockets_.count(fds[i].fd)) continue;  // libcurl may have closed it while acting on another
    int mask = 0;
    if (r & (POLLIN | POLLHUP | POLLPRI)) mask |= CURL_CSELECT_IN;
    if (r & POLLOUT) mask |= CURL_CSELECT_OUT;
    if (r & (POLLERR | POLLNVAL)) mask |= CURL_CSELECT_ERR;
    Act(fds[i].fd, mask);
  }
  if (now >= deadline_) {
    deadline_ = SteadyTime::max();  // libcurl sets the next one from inside the action
    Act(CURL_SOCKET_TIMEOUT, 0);
  }
  Finish();
}

void CurlLoop::Finish() {
  std::vector<std::unique_ptr<Transfer>>& ended = finishing_;
  for (RequestId id : early_) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) continue;  // cancelled
    ended.push_back(std::move(it->second));
    transfers_.erase(it);
  }
  early_.clear();
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* raw = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&raw));
    const CURLcode code = msg->data.result;
    Response& r = raw->response;
    curl_easy_getinfo(raw->easy, CURLINFO_RESPONSE_CODE, &r.status);
    if (raw->over_cap && code == CURLE_WRITE_ERROR) {
      r.truncated = raw->truncate_body;
      if (!raw->truncate_body) {
        r.failure = Failure::kTooLarge;
        r.error = "answer larger than " + std::to_string(raw->max_body) + " bytes";
      }
    } else if (code != CURLE_OK) {
      r.failure = Classify(code);
      r.error = raw->error[0] ? raw->error : curl_easy_strerror(code);
      // libcurl 7.88 refuses a header line over 100 KiB ("Rejected ... bytes header") and a head over 300 KiB
      // ("Too large response headers") with generic codes; only its sentence tells.
      if (r.error.find("Too large response headers") != std::string::npos ||
          (r.error.rfind("Rejected ", 0) == 0 && r.error.find("header") != std::string::npos)) {
        r.failure = Failure::kHeadTooLarge;
      }
      if (code == CURLE_FILESIZE_EXCEEDED) r.error = "answer larger than " + std::to_string(raw->max_body) + " bytes";
      long os_errno = 0;
      curl_easy_getinfo(raw->easy, CURLINFO_OS_ERRNO, &os_errno);
      r.os_errno = static_cast<int>(os_errno);
    }
    char* location = nullptr;
    if (curl_easy_getinfo(raw->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
      r.redirect_url = location;
    }
    curl_multi_remove_handle(multi_, raw->easy);
    auto it = transfers_.find(raw->id);
    ended.push_back(std::move(it->second));
    transfers_.erase(it);
  }
  // Callbacks last: they may start or cancel requests, which must not happen inside socket_action.
  for (size_t i = 0; i < ended.size(); ++i) {
    if (Done done = std::move(ended[i]->done)) done(std::move(ended[i]->response));
  }
  ended.clear();
}

void CurlLoop::Poll(std::chrono::milliseconds max_wait) {
  if (transfers_.empty()) return;
  std::vector<pollfd> fds;
  AppendPollFds(&fds);
  auto now = std::chrono::steady_clock::now();
  auto wait = max_wait;
  const SteadyTime due = NextDeadline();
  if (due != SteadyTime::max()) {
    // Rounded up, so that a timer a fraction of a millisecond away is not polled for 0 ms in a spin.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(std::max(due, now) - now);
    wait = std::min(wait, left);
  }
  (void)poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  Process(fds.data(), fds.size(), std::chrono::steady_clock::now());
}

}  // namespace crilet
