// CRI log line parsing.
#include "common/cri_log.h"

namespace crilet {

bool ParseCriLogLine(std::string_view line, CriLogLine* out) {
  size_t a = line.find(' ');
  if (a == std::string_view::npos) return false;
  size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos) return false;
  size_t c = line.find(' ', b + 1);
  std::string_view tag = line.substr(b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1);
  if (tag != "P" && tag != "F") return false;
  out->time = line.substr(0, a);
  out->stream = line.substr(a + 1, b - a - 1);
  out->partial = tag == "P";
  out->message = c == std::string_view::npos ? std::string_view() : line.substr(c + 1);
  return true;
}

void CriLogReader::Feed(std::string_view data) {
  pending_.append(data);
  size_t start = 0;
  while (true) {
    size_t nl = pending_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view raw(pending_.data() + start, nl - start);
    start = nl + 1;
    CriLogLine l;
    if (!ParseCriLogLine(raw, &l)) continue;
    if (joined_.empty()) {
      time_.assign(l.time);
      stream_.assign(l.stream);
    }
    joined_.append(l.message);
    if (l.partial) continue;
    sink_(time_, stream_, joined_);
    joined_.clear();
  }
  pending_.erase(0, start);
}

}  // namespace crilet
