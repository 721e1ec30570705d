/// Base64 (RFC 4648 standard alphabet, padded) as Kubernetes' JSON []byte fields use it, on OpenSSL's codec.
#pragma once

#include <string>
#include <string_view>

namespace crilet {

// Decodes Go's base64.StdEncoding: padding required, '\r' and '\n' ignored (as Go's decoder does), anything
// else outside the alphabet refused. False with *error ("illegal base64 data at input byte N") when invalid.
bool DecodeBase64(std::string_view in, std::string* out, std::string* error);
std::string EncodeBase64(std::string_view in);

}  // namespace crilet
