/// StatusClient: the CLI's view of a running agent through its status server (HttpStatusSource), and /healthz's verdict.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/status_source.h"
#include "common/status.h"

namespace crilet::cli {

// GET server+path as JSON. Errors say what to do ("is crilet running? start it with crilet run, or pass
// --server"). NotFound carries the server's message.
Status GetJson(const std::string& server, const std::string& path, nlohmann::json* out);

// A route's answer as JSON: 200 parsed, 404 NotFound with the answer's message, else Internal naming `who`.
Status JsonAnswer(long code, const std::string& body, const std::string& path, const std::string& who, nlohmann::json* out);

// GET server+path as text: *code is the HTTP status. Unavailable when the server cannot be reached.
Status GetText(const std::string& server, const std::string& path, long* code, std::string* body);

// The status server at `server` (libcurl, 10 s per request).
class HttpStatusSource : public StatusSource {
 public:
  explicit HttpStatusSource(std::string server) : server_(std::move(server)) {}
  Status GetJson(const std::string& path, nlohmann::json* out) const override { return cli::GetJson(server_, path, out); }
  Status GetText(const std::string& path, long* code, std::string* body) const override {
    return cli::GetText(server_, path, code, body);
  }
  std::string Name() const override { return "crilet at " + server_; }

 private:
  std::string server_;
};

// What an unhealthy /healthz answer says is wrong, in one line ("" when healthy, or when the agent has no
// /healthz): crilet's "runtime: <why>", or kubelet's "[-]<check> failed: <why>" lines.
std::string HealthzProblem(long code, const std::string& body);

// The agent's view of the container runtime: "" when /healthz passes, else why it does not (reachability of
// the status server itself included). The pods it lists are then stale, so get pods must not look normal.
std::string AgentHealthProblem(const StatusSource& source);

}  // namespace crilet::cli
