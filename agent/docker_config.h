/// DockerConfig: registry credentials parsed from a docker config.json or a legacy .dockercfg (kubelet's reader).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace crilet::agent {

// One registry's credentials. Secret: never log, print or put them in an error message.
struct DockerConfigEntry {
  std::string username;
  std::string password;
  std::string identity_token;  // docker's `identitytoken` (an OAuth refresh token); kubelet ignores it
  std::string registry_token;  // docker's `registrytoken` (a bearer token); kubelet ignores it
  bool operator==(const DockerConfigEntry&) const = default;
};

// Registry key as written in the file ("https://index.docker.io/v1/", "quay.io/org", "*.example.com") ->
// its credentials. Keys are not secret.
using DockerConfig = std::map<std::string, DockerConfigEntry>;

// config.json and the `.dockerconfigjson` of a kubernetes.io/dockerconfigjson Secret: {"auths": {KEY: ENTRY}}.
// Other top-level fields (credsStore, credHelpers, HttpHeaders, ...) are ignored, as kubelet ignores them; a
// file without `auths` is valid and empty. False with *error when malformed; the error names the field
// ("auths[\"quay.io\"].auth: ...") and never quotes a value.
bool ParseDockerConfigJson(std::string_view bytes, DockerConfig* out, std::string* error);

// The legacy .dockercfg and the `.dockercfg` of a kubernetes.io/dockercfg Secret: {KEY: ENTRY}.
bool ParseDockercfg(std::string_view bytes, DockerConfig* out, std::string* error);

}  // namespace crilet::agent
