// kubectl wait's conditions on a pod.
#include "cli/wait_condition.h"

#include <algorithm>
#include <cctype>

namespace crilet::cli {

Status ParseWaitFor(const std::string& text, WaitCondition* out) {
  *out = WaitCondition{};
  if (text == "delete") {
    out->kind = WaitCondition::Kind::kDelete;
    return Status::Ok();
  }
  const std::string cond = "condition=";
  if (text.rfind(cond, 0) == 0) {
    std::string rest = text.substr(cond.size());
    if (auto eq = rest.find('='); eq != std::string::npos) {
      out->condition_value = rest.substr(eq + 1);
      rest = rest.substr(0, eq);
    }
    if (rest.empty()) return Status::InvalidArgument("condition name is required in --for=" + text);
    out->kind = WaitCondition::Kind::kCondition;
    out->condition = rest;
    return Status::Ok();
  }
  const std::string jp = "jsonpath=";
  if (text.rfind(jp, 0) == 0) {
    std::string rest = text.substr(jp.size());
    // kubectl: jsonpath={.status.phase}=Running; the value after the last '=' outside the braces.
    std::string path, value;
    if (!rest.empty() && rest[0] == '{') {
      auto close = rest.find('}');
      if (close == std::string::npos) return Status::InvalidArgument("unclosed '{' in --for=" + text);
      path = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      if (rest.empty() || rest[0] != '=') {
        return Status::InvalidArgument("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3");
      }
      value = rest.substr(1);
    } else {
      auto eq = rest.find('=');
      if (eq == std::string::npos) {
        return Status::InvalidArgument("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3");
      }
      path = rest.substr(0, eq);
      value = rest.substr(eq + 1);
    }
    if (path.empty() || path[0] != '.') return Status::InvalidArgument("jsonpath must start with '.': " + path);
    out->kind = WaitCondition::Kind::kJsonPath;
    out->json_path = path;
    out->json_value = value;
    return Status::Ok();
  }
  return Status::InvalidArgument("unrecognized condition: \"" + text + "\"");
}

std::optional<std::string> JsonPathValue(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* at = &j;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t end = path.find_first_of(".[", i + 1);
      std::string key = path.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
      if (key.empty()) return std::nullopt;
      if (!at->is_object() || !at->contains(key)) return std::nullopt;
      at = &(*at)[key];
      i = end == std::string::npos ? path.size() : end;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return std::nullopt;
      std::string index = path.substr(i + 1, close - i - 1);
      if (index.empty() || !std::all_of(index.begin(), index.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::nullopt;
      }
      size_t n = std::stoul(index);
      if (!at->is_array() || n >= at->size()) return std::nullopt;
      at = &(*at)[n];
      i = close + 1;
    } else {
      return std::nullopt;
    }
  }
  if (at->is_string()) return at->get<std::string>();
  return at->dump();
}

bool WaitConditionMet(const WaitCondition& c, const std::optional<nlohmann::json>& pod) {
  if (c.kind == WaitCondition::Kind::kDelete) return !pod.has_value();
  if (!pod) return false;
  if (c.kind == WaitCondition::Kind::kJsonPath) {
    auto v = JsonPathValue(*pod, c.json_path);
    return v && *v == c.json_value;
  }
  // kubectl compares condition types case-insensitively, the status exactly.
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  const auto conditions = pod->value("status", nlohmann::json::object()).value("conditions", nlohmann::json::array());
  for (const auto& cond : conditions) {
    if (lower(cond.value("type", "")) == lower(c.condition)) return cond.value("status", "") == c.condition_value;
  }
  return false;
}

}  // namespace crilet::cli
