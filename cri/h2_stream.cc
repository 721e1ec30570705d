// H2Stream: the request framing, the nghttp2 callbacks that gather an answer, and the call's Status from it.
#include "cri/h2_stream.h"

#include <arpa/inet.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace crilet::cri {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// grpc-status as a code 0-16 (one outside that range is Unknown, as gRPC's clients read it); -1 when it is not
// a decimal number at all.
int GrpcStatusCode(const std::string& value) {
  if (value.empty() || value.size() > 9) return -1;
  int code = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return -1;
    code = code * 10 + (c - '0');
  }
  return code > 16 ? static_cast<int>(Code::kUnknown) : code;
}

int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t* value,
             size_t valuelen, uint8_t, void* user) {
  H2Stream* st = static_cast<H2Streams*>(user)->Find(frame->hd.stream_id);
  if (!st) return 0;
  st->answered = true;
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":status") st->http_status = std::move(v);
  else if (n == "grpc-status") st->grpc_status = std::move(v);
  else if (n == "grpc-message") st->grpc_message = std::move(v);
  return 0;
}

int OnData(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* user) {
  H2Stream* st = static_cast<H2Streams*>(user)->Find(stream_id);
  if (!st) return 0;
  st->answered = true;
  if (st->body.size() + len > kMaxResponse + 5) {
    st->too_large = true;
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
    return 0;
  }
  st->body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) {
  H2Stream* st = static_cast<H2Streams*>(user)->Find(stream_id);
  if (!st) return 0;
  st->closed = true;
  st->close_error = error_code;
  return 0;
}

int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<H2Streams*>(user)->broken = true;  // finish, then do not reuse
  return 0;
}

ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags, nghttp2_data_source* source,
                 void*) {
  auto* st = static_cast<H2Stream*>(source->ptr);
  size_t n = std::min(length, st->out.size() - st->out_off);
  std::memcpy(buf, st->out.data() + st->out_off, n);
  st->out_off += n;
  if (st->out_off == st->out.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

Status CodeFromHttp(const std::string& status) {
  // gRPC's mapping for answers that are not gRPC (a proxy, a wrong socket).
  std::string m = "the runtime answered HTTP status " + status + " instead of a gRPC answer";
  if (status == "400") return Status(Code::kInternal, m);
  if (status == "401") return Status(Code::kUnauthenticated, m);
  if (status == "403") return Status(Code::kPermissionDenied, m);
  if (status == "404") return Status(Code::kUnimplemented, m);
  if (status == "429" || status == "502" || status == "503" || status == "504") return Status(Code::kUnavailable, m);
  return Status(Code::kUnknown, m);
}

}  // namespace

void SetStreamCallbacks(nghttp2_session_callbacks* cb) {
  nghttp2_session_callbacks_set_on_header_callback(cb, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, OnStreamClose);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, OnFrame);
}

std::string GrpcTimeoutHeader(std::chrono::milliseconds timeout) {
  long long ms = std::max<long long>(timeout.count(), 1);
  if (ms < 100'000'000) return std::to_string(ms) + "m";
  long long s = ms / 1000;
  if (s < 100'000'000) return std::to_string(s) + "S";
  return std::to_string(std::min<long long>(s / 3600, 99'999'999)) + "H";
}

int32_t SubmitCall(nghttp2_session* session, H2Streams* streams, const std::string& method, const std::string& request,
                   std::chrono::steady_clock::time_point deadline) {
  H2Stream st;
  st.out.assign(5, '\0');
  uint32_t length = htonl(static_cast<uint32_t>(request.size()));
  std::memcpy(&st.out[1], &length, 4);
  st.out += request;

  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  std::string timeout = GrpcTimeoutHeader(left);
  auto nv = [](const char* name, const std::string& value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.c_str())), std::strlen(name), value.size(),
                      NGHTTP2_NV_FLAG_NONE};
  };
  static const std::string kPost = "POST", kHttp = "http", kAuthority = "localhost", kGrpc = "application/grpc",
                           kTrailers = "trailers", kAgent = "crilet";
  nghttp2_nv headers[] = {nv(":method", kPost),        nv(":scheme", kHttp),         nv(":path", method),
                          nv(":authority", kAuthority), nv("content-type", kGrpc),    nv("te", kTrailers),
                          nv("grpc-timeout", timeout),  nv("user-agent", kAgent)};
  // The stream's state must exist before nghttp2 calls back for it: it goes in under a provisional key and
  // moves to its ID (std::map nodes move without copying, so the data source pointer stays valid).
  auto node = streams->streams.emplace(0, std::move(st)).first;
  nghttp2_data_provider body{};
  body.source.ptr = &node->second;
  body.read_callback = ReadBody;
  int32_t id = nghttp2_submit_request(session, nullptr, headers, sizeof headers / sizeof headers[0], &body, nullptr);
  auto handle = streams->streams.extract(node);
  if (id > 0) {
    handle.key() = id;
    streams->streams.insert(std::move(handle));
  }
  return id;
}

Status FinishCall(const H2Stream& st, std::string* response, bool* retry) {
  if (st.too_large) return Status(Code::kResourceExhausted, "answer larger than 16 MiB");
  if (st.grpc_status.empty()) {
    if (st.close_error == NGHTTP2_REFUSED_STREAM) *retry = true;
    if (st.close_error != NGHTTP2_NO_ERROR) {
      return Status::Unavailable(std::string("stream reset by the runtime: ") + nghttp2_http2_strerror(st.close_error));
    }
    if (!st.http_status.empty() && st.http_status != "200") return CodeFromHttp(st.http_status);
    return Status::Internal("the runtime's answer has no grpc-status");
  }
  int code = GrpcStatusCode(st.grpc_status);
  if (code < 0) return Status(Code::kUnknown, "the runtime's answer has a malformed grpc-status \"" + st.grpc_status + "\"");
  if (code != 0) {
    std::string message = PercentDecode(st.grpc_message);
    if (message.empty()) message = "the runtime failed the call with grpc-status " + st.grpc_status + " and no message";
    return Status(static_cast<Code>(code), message);
  }
  if (st.body.size() < 5) return Status::Internal("the runtime's answer has no message");
  if (st.body[0] == 1) return Status::Internal("the runtime's answer is compressed, which crilet did not ask for");
  if (st.body[0] != 0) return Status::Internal("the runtime's answer is not a gRPC message");
  uint32_t size = 0;
  std::memcpy(&size, st.body.data() + 1, 4);
  if (ntohl(size) != st.body.size() - 5) return Status::Internal("the runtime's answer has a wrong length");
  response->assign(st.body, 5);
  return Status::Ok();
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = HexValue(s[i + 1])) >= 0 && (lo = HexValue(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace crilet::cri
