/// DockerKeyring: which registry credentials apply to an image, matched as kubelet's BasicDockerKeyring.Lookup.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/docker_config.h"
#include "cri/types.h"

namespace crilet::agent {

// One usable credential and where it came from ("secret test/regcred", "/var/lib/crilet/config.json"), for
// messages; the source and key are not secret, `auth` is.
struct PullCredential {
  cri::AuthConfig auth;
  std::string source;
  std::string key;  // the registry key it was filed under, normalised ("quay.io/org")
  bool operator==(const PullCredential&) const = default;
};

// Invariant: index_ holds each key of creds_ once, reverse-sorted, so a longer (more specific) key with the
// same start is tried before a shorter one ("quay.io/org" before "quay.io").
class DockerKeyring {
 public:
  // Files every entry of `config` under its normalised key (scheme dropped, a leading /v1/ or /v2/ path
  // dropped, as kubelet's Add); entries whose keys normalise alike keep the order they were added in.
  void Add(const DockerConfig& config, const std::string& source);
  // The credentials for `repository` (an image name without tag or digest, normalised as
  // NormalizeImageRepository: "docker.io/library/busybox"), most specific key first. When no key matches,
  // Docker Hub images use the `index.docker.io` entry (docker login's "https://index.docker.io/v1/").
  std::vector<PullCredential> Lookup(const std::string& repository) const;
  bool empty() const { return index_.empty(); }

 private:
  std::vector<std::string> index_;
  std::map<std::string, std::vector<PullCredential>> creds_;
};

// The key kubelet files a config entry under: "https://quay.io/v1/" -> "quay.io", "http://a.io/x" -> "a.io/x".
std::string NormalizeRegistryKey(const std::string& key);

// Docker's reference normalisation (distribution's ParseNormalizedNamed, then Name()), as kubelet applies it
// before Lookup: the tag and digest dropped, "busybox" -> "docker.io/library/busybox",
// "index.docker.io/x/y" -> "docker.io/x/y". Host names are kept as written.
std::string NormalizeImageRepository(const std::string& image);

// kubelet's URLsMatch: same port, same number of host labels, each label matched by the glob's label
// (filepath.Match: `*`, `?`, `[...]`), and the glob's path a string prefix of the target's path.
bool RegistryKeyMatches(const std::string& glob, const std::string& target);

// filepath.Match for one host label (no '/' inside); a malformed pattern matches nothing.
bool GlobMatch(const std::string& pattern, const std::string& text);

}  // namespace crilet::agent
