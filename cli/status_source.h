/// StatusSource: where the CLI reads the local crilet's pods and settings: its status server, or (with the read-only port off) its runtime and manifests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace crilet::cli {

// The status server's routes, whoever answers them: /pods, /pods/NS/NAME[?events=1], /configz, /events,
// /healthz[?verbose], /configmaps, /secrets, /pvc.
class StatusSource {
 public:
  virtual ~StatusSource() = default;
  // GET path as JSON. Errors say what to do next; NotFound carries the answer's message.
  virtual Status GetJson(const std::string& path, nlohmann::json* out) const = 0;
  // GET path as text: *code is the HTTP status. Unavailable when nothing answers.
  virtual Status GetText(const std::string& path, long* code, std::string* body) const = 0;
  // How messages name it: "crilet at http://127.0.0.1:10255".
  virtual std::string Name() const = 0;
};

}  // namespace crilet::cli
