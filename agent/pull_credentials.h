/// Pull credentials: the node's docker config files (kubelet's search paths) and a pod's imagePullSecrets.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/docker_keyring.h"
#include "common/clock.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::agent {

// Reads one credential file; a fake in tests.
class CredentialFileReader {
 public:
  virtual ~CredentialFileReader() = default;
  // False when the file does not exist; *error is set (and false returned) when it exists but cannot be read.
  virtual bool Read(const std::string& path, std::string* contents, std::string* error) const = 0;
};

class RealCredentialFileReader : public CredentialFileReader {
 public:
  bool Read(const std::string& path, std::string* contents, std::string* error) const override;
};

struct CredentialFile {
  std::string path;
  bool legacy = false;  // the .dockercfg format ({KEY: ENTRY}) rather than config.json ({"auths": ...})
  bool operator==(const CredentialFile&) const = default;
};

// kubelet's search order (credentialprovider DefaultDockerConfigJSONPaths, then DefaultDockercfgPaths):
// config.json in the root dir, the working dir, $HOME/.docker, /.docker; then .dockercfg in the root dir,
// the working dir, $HOME, /. An empty `home` leaves the $HOME entries out.
std::vector<CredentialFile> NodeCredentialPaths(const std::string& root_dir, const std::string& working_dir,
                                                const std::string& home);

// The result of reading the node's files once.
struct NodeCredentialScan {
  DockerKeyring keyring;
  std::string used;  // the file the keyring came from, "" when none was found
  // Malformed or unreadable files, path -> why (never a value from the file), in search order.
  std::vector<std::pair<std::string, std::string>> skipped;
};

// kubelet's ReadDockerConfigFile: the first config.json that parses wins; only when none does, the first
// .dockercfg that parses. Files are not merged.
NodeCredentialScan ScanNodeCredentials(const CredentialFileReader& reader, const std::vector<CredentialFile>& paths);

// The node keyring, read again at most every `ttl` so a new or edited file needs no restart. Warns once for
// each malformed file (again only after it changes). Thread-safe: pod workers pull concurrently.
class NodeCredentials {
 public:
  // *reader and *clock must outlive this object.
  NodeCredentials(const CredentialFileReader* reader, const Clock* clock, std::vector<CredentialFile> paths,
                  std::chrono::nanoseconds ttl = std::chrono::seconds(1));
  DockerKeyring Keyring();

 private:
  const CredentialFileReader* reader_;
  const Clock* clock_;
  const std::vector<CredentialFile> paths_;
  const std::chrono::nanoseconds ttl_;
  std::mutex mu_;  // guards the fields below
  bool have_ = false;
  TimePoint read_at_;
  DockerKeyring keyring_;
  std::string used_;  // the file keyring_ came from
  std::map<std::string, std::string> warned_;  // path -> the reason last warned about
};

// What one image pull of a pod may use: pod credentials first, then the node's (kubelet's
// MakeDockerKeyring union), all that match the image, in the order they are to be tried.
struct ImagePullCredentials {
  std::vector<PullCredential> credentials;
  std::string error;                         // a pull secret that cannot be read: the pull must fail with it
};

// Pure. Missing Secrets, Secrets of other types or without their key are skipped silently, as kubelet's
// MakeDockerKeyring skips them; an empty name is ignored.
ImagePullCredentials CredentialsForImage(const manifests::Pod& pod, const std::string& image,
                                         const manifests::LocalObjects& objects, const DockerKeyring& node);

// The imagePullSecrets names with no Secret in the pod's namespace, in the pod's order.
std::vector<std::string> MissingPullSecrets(const manifests::Pod& pod, const manifests::LocalObjects& objects);

// kubelet's FailedToRetrieveImagePullSecret event message.
std::string MissingPullSecretsMessage(const std::vector<std::string>& names);

}  // namespace crilet::agent
