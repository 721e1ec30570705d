/// H2Stream: one gRPC call's HTTP/2 stream: the request it submits, the answer nghttp2's callbacks gather, and
/// the call's Status from that answer. No I/O: H2Channel moves the bytes (and the fuzz target feeds them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

struct nghttp2_session;
struct nghttp2_session_callbacks;

namespace crilet::cri {

// kubelet lets the runtime answer with up to 16 MiB, as GrpcRuntime's channel does.
constexpr size_t kMaxResponse = 16 * 1024 * 1024;

struct H2Stream {
  std::string out;  // the framed request
  size_t out_off = 0;
  std::string body;
  bool too_large = false;
  std::string http_status, grpc_status, grpc_message;
  bool answered = false;  // a frame of the stream arrived: the runtime has the request
  bool closed = false;
  uint32_t close_error = 0;
};

// The calls in flight on one HTTP/2 client session: the session's user data, filled by its callbacks.
struct H2Streams {
  std::map<int32_t, H2Stream> streams;  // by stream ID
  bool broken = false;  // not to be reused: I/O failed, the runtime said GOAWAY, or a call was cut off

  H2Stream* Find(int32_t id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : &it->second;
  }
};

// Sets the callbacks that fill the H2Streams a session is created with as its user data.
void SetStreamCallbacks(nghttp2_session_callbacks* callbacks);

// Queues a unary call on `session` (nothing is sent yet). The stream ID, or a negative nghttp2 error.
int32_t SubmitCall(nghttp2_session* session, H2Streams* streams, const std::string& method, const std::string& request,
                   std::chrono::steady_clock::time_point deadline);

// The call's Status from its closed stream, with *response the message on success. *retry says the runtime
// cannot have acted on the call (it refused the stream).
Status FinishCall(const H2Stream& st, std::string* response, bool* retry);

// grpc-timeout header value for a timeout ("1500m", "30S"): at most 8 digits, as the gRPC spec wants.
std::string GrpcTimeoutHeader(std::chrono::milliseconds timeout);
// grpc-message is percent-encoded on the wire; this decodes it.
std::string PercentDecode(const std::string& s);

}  // namespace crilet::cri
