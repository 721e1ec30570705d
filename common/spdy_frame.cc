// SPDY/3.1 frames: encoding what the client sends, and an incremental reader of what the server sends.
#include "common/spdy_frame.h"

#include <cstring>

#include "common/spdy_dictionary.h"

namespace crilet::spdy {
namespace {

constexpr uint16_t kVersion = 3;
constexpr size_t kMaxHeaderBlock = 256 * 1024;  // decompressed: far above what any streaming server sends
constexpr uint32_t kMaxHeaderCount = 1024;

void Put32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

uint32_t Get32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

std::string ControlHeader(FrameType type, uint8_t flags, size_t length) {
  std::string out;
  Put32(&out, 0x80000000u | (uint32_t{kVersion} << 16) | static_cast<uint16_t>(type));
  Put32(&out, (uint32_t{flags} << 24) | static_cast<uint32_t>(length));
  return out;
}

}  // namespace

HeaderCompressor::HeaderCompressor() {
  deflateInit(&z_, Z_DEFAULT_COMPRESSION);
  deflateSetDictionary(&z_, kHeaderDictionary, sizeof kHeaderDictionary);
}

HeaderCompressor::~HeaderCompressor() { deflateEnd(&z_); }

std::string HeaderCompressor::Compress(const Headers& headers) {
  std::string plain;
  Put32(&plain, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    Put32(&plain, static_cast<uint32_t>(name.size()));
    plain += name;
    Put32(&plain, static_cast<uint32_t>(value.size()));
    plain += value;
  }
  std::string out(deflateBound(&z_, plain.size()) + 64, '\0');
  z_.next_in = reinterpret_cast<Bytef*>(plain.data());
  z_.avail_in = static_cast<uInt>(plain.size());
  size_t used = 0;
  do {  // Z_SYNC_FLUSH ends each block on a byte boundary so the peer can decode it alone
    if (used == out.size()) out.resize(out.size() * 2);
    z_.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z_.avail_out = static_cast<uInt>(out.size() - used);
    deflate(&z_, Z_SYNC_FLUSH);
    used = out.size() - z_.avail_out;
  } while (z_.avail_out == 0);
  out.resize(used);
  return out;
}

HeaderDecompressor::HeaderDecompressor() { inflateInit(&z_); }

HeaderDecompressor::~HeaderDecompressor() { inflateEnd(&z_); }

bool HeaderDecompressor::Decompress(std::string_view block, Headers* out, std::string* error) {
  std::string plain;
  char chunk[4096];
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z_.avail_in = static_cast<uInt>(block.size());
  for (;;) {
    z_.next_out = reinterpret_cast<Bytef*>(chunk);
    z_.avail_out = sizeof chunk;
    int rc = inflate(&z_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      if (primed_ || inflateSetDictionary(&z_, kHeaderDictionary, sizeof kHeaderDictionary) != Z_OK) {
        *error = "header block: the zlib dictionary does not match";
        return false;
      }
      primed_ = true;
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
      *error = std::string("header block: ") + (z_.msg ? z_.msg : "corrupt zlib data");
      return false;
    }
    plain.append(chunk, sizeof chunk - z_.avail_out);
    if (plain.size() > kMaxHeaderBlock) {
      *error = "header block: larger than 256 KiB";
      return false;
    }
    if (z_.avail_out != 0) break;  // inflate stopped for want of input, not of room
  }
  size_t p = 0;
  auto take32 = [&](uint32_t* v) {
    if (plain.size() - p < 4) return false;
    *v = Get32(plain.data() + p);
    p += 4;
    return true;
  };
  auto take = [&](uint32_t n, std::string* s) {
    if (plain.size() - p < n) return false;
    s->assign(plain, p, n);
    p += n;
    return true;
  };
  uint32_t count = 0;
  if (!take32(&count) || count > kMaxHeaderCount) {
    *error = "header block: bad header count";
    return false;
  }
  out->clear();
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t n = 0;
    std::string name, value;
    if (!take32(&n) || !take(n, &name) || !take32(&n) || !take(n, &value)) {
      *error = "header block: a name or value runs past the block";
      return false;
    }
    out->emplace_back(std::move(name), std::move(value));
  }
  return true;
}

std::string EncodeSynStream(HeaderCompressor* compressor, uint32_t stream_id, const Headers& headers, bool fin) {
  std::string block = compressor->Compress(headers);
  std::string out = ControlHeader(FrameType::kSynStream, fin ? kFlagFin : 0, block.size() + 10);
  Put32(&out, stream_id & 0x7fffffffu);
  Put32(&out, 0);  // associated-to stream: none
  out.push_back('\0');  // priority 0 (highest), unused bits
  out.push_back('\0');  // slot
  out += block;
  return out;
}

std::string EncodeData(uint32_t stream_id, std::string_view data, bool fin) {
  std::string out;
  Put32(&out, stream_id & 0x7fffffffu);
  Put32(&out, (uint32_t{fin ? kFlagFin : uint8_t{0}} << 24) | static_cast<uint32_t>(data.size()));
  out.append(data);
  return out;
}

std::string EncodeRstStream(uint32_t stream_id, uint32_t status) {
  std::string out = ControlHeader(FrameType::kRstStream, 0, 8);
  Put32(&out, stream_id & 0x7fffffffu);
  Put32(&out, status);
  return out;
}

std::string EncodePing(uint32_t id) {
  std::string out = ControlHeader(FrameType::kPing, 0, 4);
  Put32(&out, id);
  return out;
}

std::string EncodeGoAway(uint32_t last_good_stream_id, uint32_t status) {
  std::string out = ControlHeader(FrameType::kGoAway, 0, 8);
  Put32(&out, last_good_stream_id & 0x7fffffffu);
  Put32(&out, status);
  return out;
}

void FrameReader::Feed(std::string_view bytes) {
  // Drop what was read before adding more (never in Next: its payload views point into the buffer).
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

FrameReader::Result FrameReader::Next(Frame* out, std::string* error) {
  if (failed_) {
    *error = "the stream is unreadable after an earlier error";
    return Result::kError;
  }
  auto fail = [&](std::string message) {
    failed_ = true;
    *error = std::move(message);
    return Result::kError;
  };
  if (buffer_.size() - pos_ < 8) return Result::kNeedMore;
  const char* p = buffer_.data() + pos_;
  uint32_t first = Get32(p);
  uint32_t second = Get32(p + 4);
  uint32_t length = second & 0xffffff;
  if (length > max_length_) return fail("a frame of " + std::to_string(length) + " bytes is over the limit");
  if (buffer_.size() - pos_ < 8 + size_t{length}) return Result::kNeedMore;
  std::string_view payload(p + 8, length);
  pos_ += 8 + size_t{length};
  *out = Frame{};
  out->flags = static_cast<uint8_t>(second >> 24);
  if ((first & 0x80000000u) == 0) {
    out->type = FrameType::kData;
    out->stream_id = first & 0x7fffffffu;
    if (out->stream_id == 0) return fail("a DATA frame on stream 0");
    out->data.assign(payload);
    return Result::kFrame;
  }
  uint16_t version = static_cast<uint16_t>((first >> 16) & 0x7fff);
  if (version != kVersion) return fail("SPDY version " + std::to_string(version) + ", not 3");
  uint16_t type = static_cast<uint16_t>(first & 0xffff);
  auto need = [&](size_t n) { return payload.size() >= n; };
  switch (type) {
    case 1:  // SYN_STREAM: the server never opens streams of its own here, but read it whole anyway
    case 2:  // SYN_REPLY
    case 8: {  // HEADERS
      size_t skip = type == 1 ? 10 : 4;
      if (!need(skip)) return fail("a short SYN_STREAM, SYN_REPLY or HEADERS frame");
      out->type = static_cast<FrameType>(type);
      out->stream_id = Get32(payload.data()) & 0x7fffffffu;
      std::string why;
      if (!decompressor_.Decompress(payload.substr(skip), &out->headers, &why)) return fail(why);
      return Result::kFrame;
    }
    case 3:  // RST_STREAM
    case 7:  // GOAWAY
    case 9:  // WINDOW_UPDATE
      if (!need(8)) return fail("a short RST_STREAM, GOAWAY or WINDOW_UPDATE frame");
      out->type = static_cast<FrameType>(type);
      out->stream_id = Get32(payload.data()) & 0x7fffffffu;
      out->value = Get32(payload.data() + 4);
      return Result::kFrame;
    case 6:  // PING
      if (!need(4)) return fail("a short PING frame");
      out->type = FrameType::kPing;
      out->stream_id = Get32(payload.data());
      return Result::kFrame;
    case 4:  // SETTINGS: nothing in them matters to a client without flow control of its own
      out->type = FrameType::kSettings;
      return Result::kFrame;
    default:
      out->type = FrameType::kUnknown;
      return Result::kFrame;
  }
}

}  // namespace crilet::spdy
