// libFuzzer target: any bytes a runtime sends back on the HTTP/2 connection of an exec-probe call go through
// nghttp2 (a client session set up as H2Channel sets it up), H2Stream's callbacks and FinishCall: the call ends
// with a Status or stays open, never a crash, a hang or a message that is not what the frames carried.
//
// Input: 1 control byte (how the bytes are cut into reads: 0 all at once, else pieces of up to 4*N bytes),
// then the server's bytes from its connection preface (a SETTINGS frame) on.
#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cri/h2_stream.h"

namespace {

void DiscardOutput(nghttp2_session* session) {
  const uint8_t* out = nullptr;
  while (nghttp2_session_mem_send(session, &out) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = data[0] == 0 ? size : static_cast<size_t>(data[0]) * 4;
  data++;
  size--;

  crilet::cri::H2Streams streams;
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  crilet::cri::SetStreamCallbacks(cb);
  nghttp2_session* session = nullptr;
  int rv = nghttp2_session_client_new(&session, cb, &streams);
  nghttp2_session_callbacks_del(cb);
  if (rv != 0) return 0;
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16 * 1024 * 1024}};
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 2);
  const int32_t id = crilet::cri::SubmitCall(session, &streams, "/runtime.v1.RuntimeService/ExecSync", "request",
                                             std::chrono::steady_clock::now() + std::chrono::seconds(1));
  if (id != 1) __builtin_trap();  // the first stream of a client session
  DiscardOutput(session);

  for (size_t at = 0; at < size;) {
    size_t n = std::min(piece, size - at);
    if (nghttp2_session_mem_recv(session, data + at, n) < 0) break;  // H2Channel drops the connection then
    DiscardOutput(session);  // SETTINGS and PING acknowledgements, WINDOW_UPDATEs, RST_STREAMs
    at += n;
  }

  const crilet::cri::H2Stream* st = streams.Find(id);
  if (st && st->closed) {
    std::string response = "unset";
    bool retry = false;
    crilet::Status s = crilet::cri::FinishCall(*st, &response, &retry);
    if (s.ok() && (st->body.size() < 5 || response != st->body.substr(5))) __builtin_trap();
    if (!s.ok() && s.message().empty()) __builtin_trap();  // an error says what went wrong
    if (retry && s.ok()) __builtin_trap();
  }
  nghttp2_session_del(session);
  return 0;
}
