// HTTP GET to the status server (libcurl, through manifests::HttpFetch).
#include "cli/status_client.h"

#include <sstream>

#include "manifests/url_source.h"

namespace crilet::cli {

Status GetText(const std::string& server, const std::string& path, long* code, std::string* body) {
  std::string error;
  *code = manifests::HttpFetch(server + path, {}, std::chrono::seconds(10), body, &error);
  if (*code == 0) {
    return Status::Unavailable("cannot reach crilet at " + server + " (" + error +
                               "); is it running? Start it with 'crilet run', or point --server at it");
  }
  return Status::Ok();
}

std::string HealthzProblem(long code, const std::string& body) {
  if (code == 200 || code == 404) return "";
  std::string failed, all, line;
  std::istringstream in(body);
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line == "healthz check failed") continue;
    if (line.rfind("[-]", 0) == 0) failed += (failed.empty() ? "" : "; ") + line.substr(3);
    if (line.rfind("[+]", 0) != 0 && line.rfind("[!]", 0) != 0) all += (all.empty() ? "" : "; ") + line;
  }
  if (!failed.empty()) return failed;
  if (!all.empty()) return all;
  return "/healthz answered " + std::to_string(code);
}

std::string AgentHealthProblem(const StatusSource& source) {
  long code = 0;
  std::string body;
  if (Status s = source.GetText("/healthz", &code, &body); !s.ok()) return s.message();
  return HealthzProblem(code, body);
}

Status GetJson(const std::string& server, const std::string& path, nlohmann::json* out) {
  long code = 0;
  std::string body;
  if (Status s = GetText(server, path, &code, &body); !s.ok()) return s;
  return JsonAnswer(code, body, path, "crilet at " + server, out);
}

Status JsonAnswer(long code, const std::string& body, const std::string& path, const std::string& who, nlohmann::json* out) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (code == 404) {
    std::string msg = j.is_object() && j.contains("message") ? j["message"].get<std::string>() : "not found: " + path;
    return Status::NotFound(msg);
  }
  if (code != 200 || j.is_discarded()) return Status::Internal(who + " answered " + std::to_string(code) + " for " + path);
  *out = std::move(j);
  return Status::Ok();
}

}  // namespace crilet::cli
