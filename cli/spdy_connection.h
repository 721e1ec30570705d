/// A client SPDY/3.1 connection to the runtime's streaming server: the HTTP upgrade, then streams over one socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/spdy_frame.h"
#include "common/status.h"

namespace crilet::cli {

// "http://127.0.0.1:41233/exec/TOKEN" taken apart. Only http: the CRI streaming server of the lab serves
// plain HTTP on loopback.
struct StreamUrl {
  std::string host;
  std::string port;
  std::string path;  // with the query, "/" when absent
};
Status ParseStreamUrl(std::string_view url, StreamUrl* out);

// Builds the upgrade request kubectl sends (POST, Connection: Upgrade, Upgrade: SPDY/3.1 and the
// X-Stream-Protocol-Version list), and reads the answer: the negotiated protocol on 101, else an error with
// the server's status line and body, as kubectl reports it.
std::string UpgradeRequest(const StreamUrl& url, const std::vector<std::string>& protocols);
// `head` is the response up to and including the blank line; `body` whatever followed (for errors).
Status ParseUpgradeResponse(std::string_view head, std::string_view body, std::string* protocol);

// What the connection reports as frames arrive. Stream ids are those OpenStream returned.
class SpdyListener {
 public:
  virtual ~SpdyListener() = default;
  virtual void OnReply(uint32_t id) = 0;
  virtual void OnData(uint32_t id, std::string_view data) = 0;
  virtual void OnRemoteFin(uint32_t id) = 0;       // the server wrote its last byte on the stream
  virtual void OnReset(uint32_t id, uint32_t status) = 0;  // the server dropped the stream
};

class SpdyConnection {
 public:
  // Connects, upgrades and returns a non-blocking connection; `timeout` bounds the connect and the upgrade.
  static Status Dial(const std::string& url, const std::vector<std::string>& protocols, std::chrono::milliseconds timeout,
                     std::unique_ptr<SpdyConnection>* out, std::string* protocol);
  ~SpdyConnection();
  SpdyConnection(const SpdyConnection&) = delete;
  SpdyConnection& operator=(const SpdyConnection&) = delete;

  int fd() const { return fd_; }
  // Queues a SYN_STREAM; data written before the server's SYN_REPLY waits for it (spdystream drops it otherwise).
  uint32_t OpenStream(const spdy::Headers& headers);
  void Write(uint32_t id, std::string_view data);
  void CloseStream(uint32_t id);  // our half: an empty DATA frame with FIN
  void ResetStream(uint32_t id);  // RST_STREAM CANCEL; the stream is forgotten
  bool replied(uint32_t id) const;

  // Reads what the socket holds and reports its frames; answers the server's PINGs. An error on a broken
  // stream or socket; `closed()` once the server hung up or sent GOAWAY.
  Status OnReadable(SpdyListener* listener);
  // Sends what it can of the queued bytes.
  Status OnWritable();
  bool WantsWrite() const { return out_pos_ < out_.size(); }
  size_t Queued() const { return out_.size() - out_pos_; }
  bool closed() const { return closed_; }

 private:
  struct StreamState {
    bool replied = false;
    std::string held;  // DATA frames encoded before the reply came
    bool fin_held = false;
  };
  SpdyConnection(int fd, std::string leftover);
  void Queue(std::string bytes);

  int fd_;
  uint32_t next_id_ = 1;  // a client's streams are odd
  std::map<uint32_t, StreamState> streams_;
  std::string out_;
  size_t out_pos_ = 0;
  spdy::HeaderCompressor compressor_;
  spdy::FrameReader reader_;
  bool closed_ = false;
};

}  // namespace crilet::cli
