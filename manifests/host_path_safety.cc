// The list of host paths that control the node, and the lexical comparison against it.
#include "manifests/host_path_safety.h"

#include <vector>

namespace crilet::manifests {
namespace {

// True when `path` is `base` or lies below it (both normalised).
bool Within(const std::string& path, const std::string& base) {
  if (base == "/") return true;
  return path == base || (path.size() > base.size() && path.compare(0, base.size(), base) == 0 && path[base.size()] == '/');
}

std::string ParentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

std::string NormalizeHostPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string RuntimeSocketPath(const std::string& endpoint) {
  const std::string scheme = "unix://";
  if (endpoint.rfind(scheme, 0) == 0) return endpoint.substr(scheme.size());
  if (!endpoint.empty() && endpoint[0] == '/') return endpoint;  // a bare path, as kubelet accepts it
  return "";
}

std::string SensitiveHostPathReason(const std::string& raw, const SensitivePaths& sensitive) {
  std::string path = NormalizeHostPath(raw);
  if (path == "/") return "the host's root filesystem";
  struct Entry {
    std::string base;
    std::string what;
    bool below = true;  // the path and everything below it
  };
  std::vector<Entry> list = {{"/etc", "host configuration"},
                             {"/run/containerd", "containerd's state and socket"},
                             {"/var/run/containerd", "containerd's state and socket"}};
  if (!sensitive.runtime_socket.empty()) {
    std::string socket = NormalizeHostPath(sensitive.runtime_socket);
    list.push_back({socket, "the container runtime socket", false});
    list.push_back({ParentOf(socket), "the container runtime socket's directory"});
  }
  if (!sensitive.root_dir.empty()) list.push_back({NormalizeHostPath(sensitive.root_dir), "crilet's --root-dir"});
  for (const auto& e : list) {
    if (e.base == "/") continue;
    if (e.below ? Within(path, e.base) : path == e.base) return e.what + " (" + e.base + ")";
  }
  for (const auto& e : list) {
    if (e.base != "/" && Within(e.base, path)) return "contains " + e.what + " (" + e.base + ")";
  }
  return "";
}

std::vector<SensitiveVolume> SensitiveVolumes(const Pod& pod, const SensitivePaths& sensitive,
                                              const std::function<std::string(const std::string&)>& resolve) {
  std::vector<SensitiveVolume> out;
  for (const auto& v : pod.spec.volumes) {
    if (!v.host_path) continue;
    std::string reason = SensitiveHostPathReason(v.host_path->path, sensitive);
    if (reason.empty() && resolve) {
      std::string real = resolve(v.host_path->path);
      if (!real.empty() && real != NormalizeHostPath(v.host_path->path)) {
        reason = SensitiveHostPathReason(real, sensitive);
        if (!reason.empty()) reason += " (through symlinks: " + real + ")";
      }
    }
    if (!reason.empty()) out.push_back({v.name, v.host_path->path, reason});
  }
  return out;
}

}  // namespace crilet::manifests
