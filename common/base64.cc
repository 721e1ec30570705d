// Base64 decoding with Go's StdEncoding rules, checked here and decoded by OpenSSL's EVP_DecodeBlock.
#include "common/base64.h"

#include <openssl/evp.h>

namespace crilet {
namespace {

bool InAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out, std::string* error) {
  std::string clean;
  clean.reserve(in.size());
  size_t padding = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\r' || c == '\n') continue;
    // Padding only at the end, at most two, and nothing but padding after the first.
    bool ok = padding == 0 ? (InAlphabet(c) || c == '=') : c == '=';
    if (c == '=') ++padding;
    if (!ok || padding > 2) {
      *error = "illegal base64 data at input byte " + std::to_string(i);
      return false;
    }
    clean.push_back(c);
  }
  if (clean.size() % 4 != 0) {
    *error = "illegal base64 data at input byte " + std::to_string(in.size());
    return false;
  }
  std::string decoded(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) {
    *error = "illegal base64 data";
    return false;
  }
  decoded.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts the bytes padding stands for
  *out = std::move(decoded);
  return true;
}

std::string EncodeBase64(std::string_view in) {
  std::string out((in.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace crilet
