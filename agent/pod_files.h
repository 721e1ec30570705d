/// PodFiles: a pod's host-side files under <root-dir>/pods/<uid>/: volumes, /etc/hosts, termination logs.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "agent/container_config.h"
#include "agent/observed.h"
#include "agent/volume_projection.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::agent {

// The /etc/hosts content kubelet writes for a pod (managedHostsFileContent / hostNetwork variant).
std::string EtcHostsContent(const manifests::Pod& pod, const std::string& pod_ip, const std::string& node_hosts,
                            const std::string& cluster_domain);

class PodFiles {
 public:
  PodFiles(std::string root_dir, std::string uid);

  const std::string& dir() const { return dir_; }
  std::string EmptyDirPath(const std::string& volume) const;
  std::string EtcHostsPath() const { return dir_ + "/etc-hosts"; }

  // Creates emptyDir directories (tmpfs for medium Memory; a fresh one gets fsGroup ownership as kubelet
  // gives it), checks and creates hostPaths by their type;
  // fills volume name -> host path. Errors name the volume and what is wrong.
  Status PrepareVolumes(const manifests::Pod& pod, std::map<std::string, std::string>* paths) const;
  // configMap, secret, downwardAPI and projected volumes: projects each (agent/volume_projection.h) into
  // <dir>/volumes/kubernetes.io~<plugin>/<name> with the atomic writer, on tmpfs when it holds Secret data, and
  // fills volume name -> host path. A missing non-optional object or key fails with kubelet's text:
  // `for volume "NAME" : configmap "X" not found`. `stamp` names a new version dir. `written` keeps, by volume
  // name, the files last written by this caller: a volume whose new files equal them is left as it is.
  Status PrepareObjectVolumes(const manifests::Pod& pod, const manifests::LocalObjects& objects,
                              const ContainerContext& ctx, const std::string& stamp,
                              std::map<std::string, Projection>* written,
                              std::map<std::string, std::string>* paths) const;
  std::string ObjectVolumePath(const manifests::Volume& v) const;
  // Creates <dir>/<subPath> under a prepared volume, refusing paths that leave it.
  Status PrepareSubPath(const std::string& volume_path, const std::string& sub_path, const std::string& volume,
                        std::string* host_path) const;
  Status WriteEtcHosts(const std::string& content) const;
  // A fresh empty, world-writable file for one container instance's termination message.
  Status CreateTerminationLog(const std::string& container, std::string* path) const;
  // Unmounts tmpfs volumes and removes the whole pod directory.
  Status Remove() const;

 private:
  std::string root_;
  std::string dir_;
};

// Reads a termination message file: at most 4096 bytes, as kubelet does; "" if absent.
std::string ReadTerminationMessage(const std::string& path);
// The last `lines` lines of a CRI log file (prefixes stripped), at most max_bytes from the end; for
// terminationMessagePolicy FallbackToLogsOnError.
std::string TailCriLog(const std::string& path, int lines, size_t max_bytes);
// An exited instance's termination message as kubelet reports it: its file, or with FallbackToLogsOnError
// and a non-zero exit, the log's last 80 lines (2048 bytes at most).
std::string TerminationMessage(const ObservedContainer& c);

}  // namespace crilet::agent
