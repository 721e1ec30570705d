/// SensitiveHostPath: whether a hostPath volume exposes a part of the host that controls the node (its root,
/// /etc, containerd's state, the runtime socket, crilet's --root-dir). Kubelet allows them; crilet does too,
/// but says so once per pod.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifests/pod.h"

namespace crilet::manifests {

// What crilet itself adds to the built-in list (/, /etc, /run/containerd, /var/run/containerd).
struct SensitivePaths {
  std::string root_dir;        // --root-dir
  std::string runtime_socket;  // the CRI socket's file path ("unix://" removed); "" if not a unix socket
};

// "/a//b/../c/" -> "/a/c"; ".." above the root stays at the root. Lexical only (no symlinks are followed).
std::string NormalizeHostPath(const std::string& path);

// Pure: why `path` is sensitive, or "" when it is not. Sensitive are "/", /etc and below, /run/containerd
// and /var/run/containerd and below, the runtime socket and its directory, --root-dir and below, and any
// directory that contains one of those (mounting /run exposes the socket). Trailing slashes and ".." are
// normalised first. Example answers: "the host's root filesystem", "host configuration (/etc)",
// "the container runtime socket (/run/containerd/containerd.sock)", "contains crilet's --root-dir (/var/lib/crilet)".
std::string SensitiveHostPathReason(const std::string& path, const SensitivePaths& sensitive);

// One hostPath volume of a pod that exposes a sensitive path.
struct SensitiveVolume {
  std::string volume;  // the volume's name
  std::string path;    // hostPath.path as written
  std::string reason;  // SensitiveHostPathReason, with " (through symlinks: /real)" when only the resolved path is
};

// The pod's sensitive hostPath volumes, in spec order. `resolve` maps a path to its real path (symlinks
// followed; "" when it does not exist), so a symlink to /etc is caught too; null = lexical only.
std::vector<SensitiveVolume> SensitiveVolumes(const Pod& pod, const SensitivePaths& sensitive,
                                              const std::function<std::string(const std::string&)>& resolve = nullptr);

// "unix:///run/containerd/containerd.sock" -> "/run/containerd/containerd.sock"; "" for other schemes.
std::string RuntimeSocketPath(const std::string& endpoint);

}  // namespace crilet::manifests
