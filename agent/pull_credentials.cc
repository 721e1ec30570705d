// Node and pod pull credentials (kubelet pkg/credentialprovider/config.go, secrets/secrets.go,
// pkg/kubelet/kubelet_pods.go getPullSecretsForPod).
#include "agent/pull_credentials.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace crilet::agent {

bool RealCredentialFileReader::Read(const std::string& path, std::string* contents, std::string* error) const {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    *error = std::string("cannot read it: ") + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "not a regular file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::string("cannot open it: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream out;
  out << in.rdbuf();
  *contents = out.str();
  return true;
}

std::vector<CredentialFile> NodeCredentialPaths(const std::string& root_dir, const std::string& working_dir,
                                                const std::string& home) {
  auto join = [](const std::string& dir, const std::string& name) {
    if (dir.empty() || dir.back() == '/') return dir + name;
    return dir + "/" + name;
  };
  std::vector<CredentialFile> out;
  std::vector<std::string> json_dirs = {root_dir, working_dir};
  if (!home.empty()) json_dirs.push_back(join(home, ".docker"));
  json_dirs.push_back("/.docker");
  std::vector<std::string> legacy_dirs = {root_dir, working_dir};
  if (!home.empty()) legacy_dirs.push_back(home);
  legacy_dirs.push_back("/");
  auto add = [&](const std::string& path, bool legacy) {
    CredentialFile f{path, legacy};
    for (const auto& seen : out) {
      if (seen == f) return;  // $HOME may be the working dir, or /
    }
    out.push_back(f);
  };
  for (const auto& d : json_dirs) {
    if (!d.empty()) add(join(d, "config.json"), false);
  }
  for (const auto& d : legacy_dirs) {
    if (!d.empty()) add(join(d, ".dockercfg"), true);
  }
  return out;
}

NodeCredentialScan ScanNodeCredentials(const CredentialFileReader& reader, const std::vector<CredentialFile>& paths) {
  NodeCredentialScan scan;
  for (bool legacy : {false, true}) {
    for (const auto& f : paths) {
      if (f.legacy != legacy) continue;
      std::string contents, error;
      if (!reader.Read(f.path, &contents, &error)) {
        if (!error.empty()) scan.skipped.emplace_back(f.path, error);
        continue;
      }
      DockerConfig config;
      bool ok = legacy ? ParseDockercfg(contents, &config, &error) : ParseDockerConfigJson(contents, &config, &error);
      if (!ok) {
        scan.skipped.emplace_back(f.path, error);
        continue;
      }
      scan.keyring.Add(config, f.path);
      scan.used = f.path;
      return scan;
    }
  }
  return scan;
}

NodeCredentials::NodeCredentials(const CredentialFileReader* reader, const Clock* clock,
                                 std::vector<CredentialFile> paths, std::chrono::nanoseconds ttl)
    : reader_(reader), clock_(clock), paths_(std::move(paths)), ttl_(ttl) {}

DockerKeyring NodeCredentials::Keyring() {
  std::lock_guard<std::mutex> lock(mu_);
  TimePoint now = clock_->Now();
  if (have_ && now - read_at_ < ttl_ && now >= read_at_) return keyring_;
  NodeCredentialScan scan = ScanNodeCredentials(*reader_, paths_);
  std::map<std::string, std::string> still_bad;
  for (const auto& [path, why] : scan.skipped) {
    auto it = warned_.find(path);
    if (it == warned_.end() || it->second != why) {
      spdlog::warn("pull credentials: skipping {}: {}", path, why);
    }
    still_bad[path] = why;
  }
  // A file fixed and broken again in the same way is warned about again.
  warned_ = std::move(still_bad);
  if (scan.used != used_) {
    if (scan.used.empty()) {
      spdlog::info("pull credentials: no node credentials file any more");
    } else {
      spdlog::info("pull credentials: node credentials from {}", scan.used);
    }
    used_ = scan.used;
  }
  keyring_ = std::move(scan.keyring);
  read_at_ = now;
  have_ = true;
  return keyring_;
}

ImagePullCredentials CredentialsForImage(const manifests::Pod& pod, const std::string& image,
                                         const manifests::LocalObjects& objects, const DockerKeyring& node) {
  ImagePullCredentials out;
  DockerKeyring from_pod;
  for (const std::string& name : pod.spec.image_pull_secrets) {
    if (name.empty()) continue;  // the API server allows it; kubelet skips it without a warning
    const manifests::Secret* s = objects.FindSecret(pod.metadata.namespace_, name);
    if (!s) continue;
    std::string source = "secret " + s->namespace_ + "/" + s->name;
    DockerConfig config;
    std::string error;
    if (s->type == "kubernetes.io/dockerconfigjson") {
      auto it = s->data.find(".dockerconfigjson");
      if (it == s->data.end() || it->second.empty()) continue;
      if (!ParseDockerConfigJson(it->second, &config, &error)) {
        out.error = "image pull " + source + ": data[.dockerconfigjson]: " + error;
        return out;
      }
    } else if (s->type == "kubernetes.io/dockercfg") {
      auto it = s->data.find(".dockercfg");
      if (it == s->data.end() || it->second.empty()) continue;
      if (!ParseDockercfg(it->second, &config, &error)) {
        out.error = "image pull " + source + ": data[.dockercfg]: " + error;
        return out;
      }
    } else {
      continue;
    }
    from_pod.Add(config, source);
  }
  std::string repository = NormalizeImageRepository(image);
  out.credentials = from_pod.Lookup(repository);
  std::vector<PullCredential> node_creds = node.Lookup(repository);
  out.credentials.insert(out.credentials.end(), node_creds.begin(), node_creds.end());
  return out;
}

std::vector<std::string> MissingPullSecrets(const manifests::Pod& pod, const manifests::LocalObjects& objects) {
  std::vector<std::string> out;
  for (const auto& name : pod.spec.image_pull_secrets) {
    if (!name.empty() && !objects.FindSecret(pod.metadata.namespace_, name)) out.push_back(name);
  }
  return out;
}

std::string MissingPullSecretsMessage(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
  return "Unable to retrieve some image pull secrets (" + joined + "); attempting to pull the image may not succeed.";
}

}  // namespace crilet::agent
