// RFC 3339 parsing without the C library's locale- and zone-dependent strptime.
#include "common/rfc3339.h"

#include <cstdint>
#include <ctime>

namespace crilet {
namespace {

// Reads exactly `n` digits at `*at`; false if they are not there.
bool Digits(std::string_view s, size_t* at, size_t n, int* out) {
  if (*at + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *at += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* at, char c) {
  if (*at >= s.size() || s[*at] != c) return false;
  ++*at;
  return true;
}

// Where the fraction and the zone of an RFC 3339 time start; false if the text is not one.
bool Split(std::string_view s, TimePoint* out, size_t* fraction_begin, size_t* fraction_end) {
  size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;  // set by Digits before any use
  if (!Digits(s, &at, 4, &year) || !Expect(s, &at, '-') || !Digits(s, &at, 2, &month) || !Expect(s, &at, '-') ||
      !Digits(s, &at, 2, &day)) {
    return false;
  }
  if (at >= s.size() || (s[at] != 'T' && s[at] != 't')) return false;
  ++at;
  if (!Digits(s, &at, 2, &hour) || !Expect(s, &at, ':') || !Digits(s, &at, 2, &minute) || !Expect(s, &at, ':') ||
      !Digits(s, &at, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  int64_t nanos = 0;
  *fraction_begin = *fraction_end = at;
  if (at < s.size() && s[at] == '.') {
    ++at;
    size_t start = at;
    int64_t scale = 100'000'000;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (at - start >= 9) return false;
      nanos += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return false;
    *fraction_end = at;
  }
  int offset_seconds = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int sign = s[at] == '-' ? -1 : 1;
    ++at;
    int oh, om;
    if (!Digits(s, &at, 2, &oh) || !Expect(s, &at, ':') || !Digits(s, &at, 2, &om) || oh > 23 || om > 59) return false;
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (at != s.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs = timegm(&tm) - offset_seconds;
  // Nanoseconds since 1970 in 64 bits end in 2262; a later (or much earlier) time is the end of that range,
  // which orders the same against any log line.
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000 - 1;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) {
    *out = secs > 0 ? TimePoint::max() : TimePoint::min();
    return true;
  }
  *out = FromUnixNanos(static_cast<int64_t>(secs) * 1'000'000'000 + nanos);
  return true;
}

}  // namespace

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  TimePoint t;
  size_t b, e;
  if (!Split(text, &t, &b, &e)) return std::nullopt;
  return t;
}

std::string FixedNanos(std::string_view text) {
  TimePoint t;
  size_t b, e;
  if (!Split(text, &t, &b, &e)) return std::string(text);
  std::string out(text.substr(0, b));
  std::string fraction(b == e ? "" : text.substr(b + 1, e - b - 1));
  fraction.resize(9, '0');
  return out + "." + fraction + std::string(text.substr(e));
}

}  // namespace crilet
