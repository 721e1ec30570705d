// spdlog configuration for the daemon and the CLI.
#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace crilet {
namespace {

// The process's -v, as klog keeps it: one setting for every logger, read on every guarded line.
std::atomic<int> g_verbosity{0};

// %j: the message as the inside of a JSON string (quotes, backslashes and control characters escaped).
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            dest.append(std::string_view(buf));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

bool SetupLogging(int verbosity, const std::string& format, std::string* error) {
  auto logger = spdlog::get("crilet");
  if (!logger) logger = spdlog::stderr_logger_mt("crilet");
  spdlog::set_default_logger(logger);
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%j"})");
    spdlog::set_formatter(std::move(formatter));
  } else if (format == "text" || format.empty()) {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %L %v");
  } else {
    *error = "unknown log format \"" + format + "\" (use text or json)";
    return false;
  }
  SetVerbosity(verbosity);
  spdlog::set_level(verbosity <= 0 ? spdlog::level::info : spdlog::level::debug);
  spdlog::flush_on(spdlog::level::info);
  return true;
}

bool V(int level) { return g_verbosity.load(std::memory_order_relaxed) >= level; }

void SetVerbosity(int verbosity) { g_verbosity.store(verbosity, std::memory_order_relaxed); }

}  // namespace crilet
