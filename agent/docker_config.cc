// Docker config parsing with kubelet's rules (pkg/credentialprovider/config.go: DockerConfigEntry.UnmarshalJSON).
#include "agent/docker_config.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace crilet::agent {
namespace {

using Json = nlohmann::json;

// Quotes a registry key for a field path; control characters are escaped so a message stays one line.
std::string KeyPath(const std::string& prefix, const std::string& key) {
  return prefix + "[" + Json(key).dump(-1, ' ', true, Json::error_handler_t::replace) + "]";
}

// Reads an optional string field; a null counts as absent (Go's json leaves the field empty).
bool StringField(const Json& entry, const char* name, const std::string& path, std::string* out, std::string* error) {
  auto it = entry.find(name);
  if (it == entry.end() || it->is_null()) return true;
  if (!it->is_string()) {
    *error = path + "." + name + ": must be a string";
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool ParseEntry(const Json& v, const std::string& path, DockerConfigEntry* out, std::string* error) {
  if (!v.is_object()) {
    *error = path + ": must be an object";
    return false;
  }
  std::string auth, email;
  if (!StringField(v, "username", path, &out->username, error) ||
      !StringField(v, "password", path, &out->password, error) ||
      !StringField(v, "email", path, &email, error) || !StringField(v, "auth", path, &auth, error) ||
      !StringField(v, "identitytoken", path, &out->identity_token, error) ||
      !StringField(v, "registrytoken", path, &out->registry_token, error)) {
    return false;
  }
  if (auth.empty()) return true;
  // `auth` wins over username and password, as in kubelet (decodeDockerConfigFieldAuth).
  std::string decoded, why;
  if (!DecodeBase64(auth, &decoded, &why)) {
    *error = path + ".auth: must be base64 of username:password (" + why + ")";
    return false;
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    *error = path + ".auth: must be base64 of username:password (no ':' in the decoded value)";
    return false;
  }
  out->username = decoded.substr(0, colon);
  out->password = decoded.substr(colon + 1);
  return true;
}

bool ParseEntries(const Json& map, const std::string& prefix, DockerConfig* out, std::string* error) {
  if (!map.is_object()) {
    *error = (prefix.empty() ? std::string("the document") : prefix) + ": must be an object";
    return false;
  }
  DockerConfig parsed;
  for (const auto& [key, value] : map.items()) {
    if (!ParseEntry(value, KeyPath(prefix, key), &parsed[key], error)) return false;
  }
  *out = std::move(parsed);
  return true;
}

// nlohmann's own parse messages quote the text last read (possibly a password), so only the position is kept.
bool ParseJson(std::string_view bytes, Json* out, std::string* error) {
  try {
    *out = Json::parse(bytes.begin(), bytes.end());
    return true;
  } catch (const Json::parse_error& e) {
    *error = "not valid JSON (at byte " + std::to_string(e.byte) + ")";
    return false;
  }
}

}  // namespace

bool ParseDockerConfigJson(std::string_view bytes, DockerConfig* out, std::string* error) {
  Json doc;
  if (!ParseJson(bytes, &doc, error)) return false;
  if (!doc.is_object()) {
    *error = "the document: must be an object";
    return false;
  }
  auto it = doc.find("auths");
  if (it == doc.end() || it->is_null()) {
    out->clear();
    return true;
  }
  return ParseEntries(*it, "auths", out, error);
}

bool ParseDockercfg(std::string_view bytes, DockerConfig* out, std::string* error) {
  Json doc;
  if (!ParseJson(bytes, &doc, error)) return false;
  return ParseEntries(doc, "", out, error);
}

}  // namespace crilet::agent
