/// StatusClient: the CLI's view of a running agent, through its status server (--server, default local).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace crilet::cli {

// "http://127.0.0.1:10255", or $CRILET_SERVER when set.
std::string DefaultServer();

// GET server+path as JSON. Errors say what to do ("is crilet running? start it with crilet run, or pass
// --server"). NotFound carries the server's message.
Status GetJson(const std::string& server, const std::string& path, nlohmann::json* out);

// GET server+path as text: *code is the HTTP status. Unavailable when the server cannot be reached.
Status GetText(const std::string& server, const std::string& path, long* code, std::string* body);

// What an unhealthy /healthz answer says is wrong, in one line ("" when healthy, or when the agent has no
// /healthz): crilet's "runtime: <why>", or kubelet's "[-]<check> failed: <why>" lines.
std::string HealthzProblem(long code, const std::string& body);

// The agent's view of the container runtime: "" when /healthz passes, else why it does not (reachability of
// the status server itself included). The pods it lists are then stale, so get pods must not look normal.
std::string AgentHealthProblem(const std::string& server);

}  // namespace crilet::cli
