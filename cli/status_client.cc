// HTTP GET to the status server (common/http_client through manifests::HttpFetch).
#include "cli/status_client.h"

#include <cstdlib>

#include "manifests/url_source.h"

namespace crilet::cli {

std::string DefaultServer() {
  const char* s = std::getenv("CRILET_SERVER");
  return s && *s ? s : "http://127.0.0.1:10255";
}

Status GetJson(const std::string& server, const std::string& path, nlohmann::json* out) {
  std::string body, error;
  long code = manifests::HttpFetch(server + path, {}, std::chrono::seconds(10), &body, &error);
  if (code == 0) {
    return Status::Unavailable("cannot reach crilet at " + server + " (" + error +
                               "); is it running? Start it with 'crilet run', or point --server at it");
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (code == 404) {
    std::string msg = j.is_object() && j.contains("message") ? j["message"].get<std::string>() : "not found: " + path;
    return Status::NotFound(msg);
  }
  if (code != 200 || j.is_discarded()) {
    return Status::Internal("crilet at " + server + " answered " + std::to_string(code) + " for " + path);
  }
  *out = std::move(j);
  return Status::Ok();
}

}  // namespace crilet::cli
