// Kubernetes quantity parsing (k8s.io/apimachinery resource.Quantity grammar), exact in milli-units.
#include "manifests/quantity.h"

#include <cctype>
#include <cstdint>

namespace crilet::manifests {
namespace {

using i128 = __int128;
constexpr i128 kMax = static_cast<i128>(INT64_MAX);

bool MulCheck(i128* v, i128 m) {
  if (*v != 0 && (m > kMax * 1000 / *v + 1)) return false;
  *v *= m;
  return *v <= kMax * 1000;
}

}  // namespace

std::optional<Quantity> ParseQuantity(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Quantity> {
    if (error) *error = why;
    return std::nullopt;
  };
  const std::string kShape = "must be a quantity such as 500m, 128Mi, 1Gi or 1e3";
  std::string_view s = text;
  if (s.empty()) return fail(kShape);
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t i = 0;
  i128 mantissa = 0;
  int frac_digits = 0;
  int digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (++digits > 30) return fail("too many digits");
    mantissa = mantissa * 10 + (s[i] - '0');
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (++digits > 30) return fail("too many digits");
      mantissa = mantissa * 10 + (s[i] - '0');
      ++frac_digits;
      ++i;
    }
  }
  if (digits == 0) return fail(kShape);
  std::string_view suffix = s.substr(i);

  // value = mantissa / 10^frac * 2^bin * 10^dec; milli = value * 1000, rounded up.
  int bin = 0;
  int dec = 0;
  if (suffix.empty()) {
  } else if (suffix == "Ki") bin = 10;
  else if (suffix == "Mi") bin = 20;
  else if (suffix == "Gi") bin = 30;
  else if (suffix == "Ti") bin = 40;
  else if (suffix == "Pi") bin = 50;
  else if (suffix == "Ei") bin = 60;
  else if (suffix == "n") dec = -9;
  else if (suffix == "u") dec = -6;
  else if (suffix == "m") dec = -3;
  else if (suffix == "k") dec = 3;
  else if (suffix == "M") dec = 6;
  else if (suffix == "G") dec = 9;
  else if (suffix == "T") dec = 12;
  else if (suffix == "P") dec = 15;
  else if (suffix == "E") dec = 18;
  else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view e = suffix.substr(1);
    bool eneg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      eneg = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 3) return fail(kShape);
    int ev = 0;
    for (char c : e) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail(kShape);
      ev = ev * 10 + (c - '0');
    }
    dec = eneg ? -ev : ev;
  } else {
    return fail("unknown suffix \"" + std::string(suffix) + "\": " + kShape);
  }

  i128 num = mantissa;
  int pow10 = dec + 3 - frac_digits;  // the 3 turns units into milli-units
  if (!MulCheck(&num, static_cast<i128>(1) << bin)) return fail("too large");
  i128 den = 1;
  for (; pow10 > 0; --pow10) {
    if (!MulCheck(&num, 10)) return fail("too large");
  }
  for (; pow10 < 0; ++pow10) {
    if (den > kMax) return fail("too many fractional digits");
    den *= 10;
  }
  i128 milli = num / den + (num % den != 0 ? 1 : 0);  // round up like Quantity.MilliValue
  if (milli > kMax) return fail("too large");
  Quantity q;
  q.text = std::string(text);
  q.milli = static_cast<int64_t>(negative ? -milli : milli);
  return q;
}

}  // namespace crilet::manifests
