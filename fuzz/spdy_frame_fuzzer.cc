// libFuzzer target: any bytes from a streaming server, in any pieces, must frame or fail cleanly, never crash,
// hang or grow without bound (the reader and the header-block inflater are what face the server).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/spdy_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = 1 + data[0] % 64;  // the first byte chooses how the rest arrives
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  crilet::spdy::FrameReader reader(1 << 16);
  for (size_t at = 0; at < bytes.size(); at += piece) {
    reader.Feed(bytes.substr(at, piece));
    crilet::spdy::Frame f;
    std::string error;
    crilet::spdy::FrameReader::Result r;
    while ((r = reader.Next(&f, &error)) == crilet::spdy::FrameReader::Result::kFrame) {
    }
    if (r == crilet::spdy::FrameReader::Result::kError) return 0;
  }
  return 0;
}
