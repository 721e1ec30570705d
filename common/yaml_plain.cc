// How go-yaml v2 (sigs.k8s.io/yaml, which kubelet uses) resolves an unquoted scalar.
#include "common/yaml_plain.h"

#include <cctype>

namespace crilet {
namespace {

bool Digits(const std::string& s, size_t from, size_t to, bool underscores) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && !(underscores && s[i] == '_')) return false;
  }
  return true;
}

}  // namespace

PlainType ResolvePlain(const std::string& s) {
  // go-yaml v2's resolve table (sigs.k8s.io/yaml): YAML 1.1 booleans, nulls, ints and floats.
  static const char* kBools[] = {"y",    "Y",    "yes",  "Yes", "YES", "n",     "N",     "no",    "No",
                                 "NO",   "true", "True", "TRUE", "on", "On",    "ON",    "false", "False",
                                 "FALSE", "off", "Off",  "OFF"};
  for (const char* b : kBools) {
    if (s == b) return PlainType::kBool;
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return PlainType::kNull;
  for (const char* special : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                              ".NaN", ".NAN"}) {
    if (s == special) return PlainType::kNumber;
  }
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'b')) {
    bool hex = s[i + 1] == 'x';
    for (size_t k = i + 2; k < s.size(); ++k) {
      char c = s[k];
      bool ok = c == '_' || (hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c == '0' || c == '1'));
      if (!ok) return PlainType::kString;
    }
    return PlainType::kNumber;
  }
  if (Digits(s, i, s.size(), true) && s.find_first_of("0123456789") != std::string::npos) return PlainType::kNumber;  // decimal (and YAML 1.1 octal 0755) ints
  // Floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  size_t e = s.find_first_of("eE", i);
  std::string mantissa = s.substr(i, e == std::string::npos ? std::string::npos : e - i);
  size_t dot = mantissa.find('.');
  bool mantissa_ok = dot == std::string::npos
                         ? Digits(mantissa, 0, mantissa.size(), false)
                         : (dot == 0 ? Digits(mantissa, 1, mantissa.size(), false)
                                     : Digits(mantissa, 0, dot, false) &&
                                           (dot + 1 == mantissa.size() || Digits(mantissa, dot + 1, mantissa.size(), false)));
  if (!mantissa_ok) return PlainType::kString;
  if (e == std::string::npos) return dot == std::string::npos ? PlainType::kString : PlainType::kNumber;
  size_t x = e + 1;
  if (x < s.size() && (s[x] == '-' || s[x] == '+')) ++x;
  return Digits(s, x, s.size(), false) ? PlainType::kNumber : PlainType::kString;
}

}  // namespace crilet
