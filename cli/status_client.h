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

}  // namespace crilet::cli
