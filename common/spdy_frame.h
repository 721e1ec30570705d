/// SPDY/3.1 framing, the wire format of the CRI streaming server's exec, attach and port-forward: frames and header blocks.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crilet::spdy {

// Header names are lower case on the wire; a name may repeat values joined by NUL, which we never send.
using Headers = std::vector<std::pair<std::string, std::string>>;

enum class FrameType : uint16_t {
  kData = 0,  // not a control frame type: the frame's first bit is clear
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
  kUnknown = 0xffff,  // a control frame of another type: the spec says to ignore it
};

inline constexpr uint8_t kFlagFin = 0x01;
inline constexpr uint32_t kMaxFrameLength = (1u << 24) - 1;  // the 24-bit length field
inline constexpr uint32_t kRstCancel = 5;                    // RST_STREAM status CANCEL

struct Frame {
  FrameType type = FrameType::kUnknown;
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // DATA, SYN_*, RST_STREAM, HEADERS, WINDOW_UPDATE; the id of a PING; GOAWAY's last good id
  uint32_t value = 0;      // RST_STREAM and GOAWAY status, WINDOW_UPDATE delta
  std::string data;        // a DATA frame's payload
  Headers headers;         // SYN_STREAM, SYN_REPLY and HEADERS
  bool fin() const { return (flags & kFlagFin) != 0; }
};

// Compresses the header blocks one side sends. SPDY keeps a single zlib stream per direction for the whole
// connection, primed with the protocol's dictionary, so one compressor serves every frame.
class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;
  std::string Compress(const Headers& headers);

 private:
  z_stream z_{};
};

// Decompresses the header blocks the peer sends (its own single zlib stream).
class HeaderDecompressor {
 public:
  HeaderDecompressor();
  ~HeaderDecompressor();
  HeaderDecompressor(const HeaderDecompressor&) = delete;
  HeaderDecompressor& operator=(const HeaderDecompressor&) = delete;
  // false with *error set when the block is corrupt or its names and values overrun the block.
  bool Decompress(std::string_view block, Headers* out, std::string* error);

 private:
  z_stream z_{};
  bool primed_ = false;
};

std::string EncodeSynStream(HeaderCompressor* compressor, uint32_t stream_id, const Headers& headers, bool fin);
std::string EncodeData(uint32_t stream_id, std::string_view data, bool fin);
std::string EncodeRstStream(uint32_t stream_id, uint32_t status);
std::string EncodePing(uint32_t id);
std::string EncodeGoAway(uint32_t last_good_stream_id, uint32_t status);

// Cuts the byte stream a peer sends into frames; incremental, so bytes may arrive in any pieces.
class FrameReader {
 public:
  enum class Result { kFrame, kNeedMore, kError };
  // A frame longer than `max_length` is an error (the peer's DATA frames are at most 32 KiB in practice).
  explicit FrameReader(uint32_t max_length = 1u << 20) : max_length_(max_length) {}
  void Feed(std::string_view bytes);
  Result Next(Frame* out, std::string* error);

 private:
  std::string buffer_;
  size_t pos_ = 0;
  uint32_t max_length_;
  HeaderDecompressor decompressor_;
  bool failed_ = false;
};

}  // namespace crilet::spdy
