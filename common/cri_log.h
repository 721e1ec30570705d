/// CRI log files: parsing "<RFC3339Nano> <stdout|stderr> <P|F> <message>" lines and joining partial ones.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace crilet {

struct CriLogLine {
  std::string_view time;
  std::string_view stream;  // "stdout" or "stderr"
  bool partial = false;     // "P": the message continues on the next line
  std::string_view message;
};

// False when the line is not in CRI format.
bool ParseCriLogLine(std::string_view line, CriLogLine* out);

// Feeds raw file bytes line by line and emits whole messages (partial fragments joined), with the time of
// their first fragment. Bytes after the last newline are kept until more arrive.
class CriLogReader {
 public:
  using Sink = std::function<void(std::string_view time, std::string_view stream, const std::string& message)>;
  explicit CriLogReader(Sink sink) : sink_(std::move(sink)) {}
  void Feed(std::string_view data);

 private:
  Sink sink_;
  std::string pending_;   // an unterminated line
  std::string joined_;    // partial fragments so far
  std::string time_;
  std::string stream_;
};

}  // namespace crilet
