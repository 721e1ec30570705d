// Go-style duration parsing and formatting.
#include "common/duration.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace crilet {
namespace {

struct Unit {
  std::string_view name;
  double nanos;
};

constexpr Unit kUnits[] = {
    {"ns", 1}, {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3}, {"ms", 1e6},
    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
};

}  // namespace

std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::chrono::nanoseconds> {
    if (error) *error = "invalid duration \"" + std::string(text) + "\": " + why;
    return std::nullopt;
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return fail("empty");
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return fail("expected a number");
    size_t j = i;
    while (j < s.size() && !(s[j] >= '0' && s[j] <= '9') && s[j] != '.') ++j;
    std::string_view unit = s.substr(i, j - i);
    if (unit.empty()) return fail("missing unit (use ns, us, ms, s, m or h)");
    const Unit* found = nullptr;
    for (const auto& u : kUnits) {
      if (u.name == unit) found = &u;
    }
    if (!found) return fail("unknown unit \"" + std::string(unit) + "\" (use ns, us, ms, s, m or h)");
    total += value * found->nanos;
    if (total > 9.2e18) return fail("too large");
    s.remove_prefix(j);
  }
  auto ns = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-ns) : static_cast<uint64_t>(ns);
  char buf[64];
  if (u < 1'000'000'000ULL) {
    if (u % 1'000'000 == 0) {
      std::snprintf(buf, sizeof buf, "%llums", static_cast<unsigned long long>(u / 1'000'000));
    } else if (u % 1000 == 0) {
      std::snprintf(buf, sizeof buf, "%lluus", static_cast<unsigned long long>(u / 1000));
    } else {
      std::snprintf(buf, sizeof buf, "%lluns", static_cast<unsigned long long>(u));
    }
    return sign + buf;
  }
  uint64_t h = u / 3'600'000'000'000ULL;
  u %= 3'600'000'000'000ULL;
  uint64_t m = u / 60'000'000'000ULL;
  u %= 60'000'000'000ULL;
  double s = static_cast<double>(u) / 1e9;
  std::string out = sign;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  std::snprintf(buf, sizeof buf, "%.9g", s);
  out += buf;
  out += "s";
  return out;
}

std::string FormatAge(std::chrono::nanoseconds d) {
  // apimachinery's duration.HumanDuration, which kubectl prints: seconds rounded to the nearest.
  const int64_t ns = d.count();
  const int64_t s = (ns >= 0 ? ns + 500'000'000 : ns - 500'000'000) / 1'000'000'000;
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  const int64_t m = s / 60;
  if (m < 10) return std::to_string(m) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  if (m < 180) return std::to_string(m) + "m";
  const int64_t h = m / 60;
  if (h < 8) return std::to_string(h) + "h" + (m % 60 ? std::to_string(m % 60) + "m" : "");
  if (h < 48) return std::to_string(h) + "h";
  if (h < 24 * 8) return std::to_string(h / 24) + "d" + (h % 24 ? std::to_string(h % 24) + "h" : "");
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  const int64_t years = h / 24 / 365, days = (h / 24) % 365;
  if (h < 24 * 365 * 8) return std::to_string(years) + "y" + (days ? std::to_string(days) + "d" : "");
  return std::to_string(years) + "y";
}

}  // namespace crilet
