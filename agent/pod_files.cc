// Pod directories, volumes, hosts file and termination-message files on the host.
#include "agent/pod_files.h"

#include "agent/atomic_writer.h"
#include "agent/volume_ownership.h"
#include "common/cri_log.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace crilet::agent {
namespace fs = std::filesystem;

namespace {

Status Errno(const std::string& what) { return Status::Internal(what + ": " + std::strerror(errno)); }

bool IsMountPoint(const std::string& path) {
  struct stat self, parent;
  if (::stat(path.c_str(), &self) != 0) return false;
  if (::stat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

Status CheckHostPath(const std::string& name, const manifests::HostPathVolumeSource& hp) {
  const std::string& p = hp.path;
  const std::string& t = hp.type;
  struct stat st;
  bool exists = ::stat(p.c_str(), &st) == 0;
  auto fail = [&](const std::string& what) {
    return Status::InvalidArgument("volume " + name + ": hostPath type check failed: " + p + " " + what);
  };
  if (t.empty()) return Status::Ok();
  if (t == "DirectoryOrCreate") {
    if (!exists) {
      std::error_code ec;
      fs::create_directories(p, ec);
      if (ec) return Status::Internal("volume " + name + ": cannot create directory " + p + ": " + ec.message());
      ::chmod(p.c_str(), 0755);
      return Status::Ok();
    }
    return S_ISDIR(st.st_mode) ? Status::Ok() : fail("is not a directory");
  }
  if (t == "Directory") return !exists ? fail("does not exist") : S_ISDIR(st.st_mode) ? Status::Ok() : fail("is not a directory");
  if (t == "FileOrCreate") {
    if (!exists) {
      int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return Errno("volume " + name + ": cannot create file " + p);
      ::close(fd);
      return Status::Ok();
    }
    return S_ISREG(st.st_mode) ? Status::Ok() : fail("is not a file");
  }
  if (t == "File") return !exists ? fail("does not exist") : S_ISREG(st.st_mode) ? Status::Ok() : fail("is not a file");
  if (t == "Socket") return !exists ? fail("does not exist") : S_ISSOCK(st.st_mode) ? Status::Ok() : fail("is not a socket file");
  if (t == "CharDevice") return !exists ? fail("does not exist") : S_ISCHR(st.st_mode) ? Status::Ok() : fail("is not a character device");
  if (t == "BlockDevice") return !exists ? fail("does not exist") : S_ISBLK(st.st_mode) ? Status::Ok() : fail("is not a block device");
  return Status::InvalidArgument("volume " + name + ": unknown hostPath type " + t);
}

}  // namespace

std::string EtcHostsContent(const manifests::Pod& pod, const std::string& pod_ip, const std::string& node_hosts,
                            const std::string& cluster_domain) {
  std::string out;
  if (pod.spec.host_network) {
    out = "# Kubernetes-managed hosts file (host network).\n" + node_hosts;
    if (!out.empty() && out.back() != '\n') out += '\n';
  } else {
    out = "# Kubernetes-managed hosts file.\n"
          "127.0.0.1\tlocalhost\n"
          "::1\tlocalhost ip6-localhost ip6-loopback\n"
          "fe00::0\tip6-localnet\n"
          "fe00::0\tip6-mcastprefix\n"
          "fe00::1\tip6-allnodes\n"
          "fe00::2\tip6-allrouters\n";
    std::string hostname = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
    if (hostname.size() > 63) hostname.resize(63);
    if (!pod_ip.empty()) {
      if (!pod.spec.subdomain.empty() && !cluster_domain.empty()) {
        out += pod_ip + "\t" + hostname + "." + pod.spec.subdomain + "." + pod.metadata.namespace_ + ".svc." +
               cluster_domain + "\t" + hostname + "\n";
      } else {
        out += pod_ip + "\t" + hostname + "\n";
      }
    }
  }
  if (!pod.spec.host_aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& a : pod.spec.host_aliases) {
      out += a.ip;
      for (const auto& h : a.hostnames) out += "\t" + h;
      out += "\n";
    }
  }
  return out;
}

PodFiles::PodFiles(std::string root_dir, std::string uid)
    : root_(std::move(root_dir)), dir_(root_ + "/pods/" + uid) {}

std::string PodFiles::EmptyDirPath(const std::string& volume) const {
  return dir_ + "/volumes/kubernetes.io~empty-dir/" + volume;
}

Status PodFiles::PrepareVolumes(const manifests::Pod& pod, std::map<std::string, std::string>* paths) const {
  for (const auto& v : pod.spec.volumes) {
    if (v.empty_dir) {
      std::string p = EmptyDirPath(v.name);
      std::error_code ec;
      // Kubelet's emptyDir SetUp runs once per pod (its ready marker); a fresh directory is the marker here.
      bool fresh = !fs::exists(p, ec);
      fs::create_directories(p, ec);
      if (ec) return Status::Internal("volume " + v.name + ": cannot create " + p + ": " + ec.message());
      ::chmod(p.c_str(), 0777);  // emptyDir is world-writable, as kubelet makes it
      if (v.empty_dir->medium == "Memory" && !IsMountPoint(p)) {
        std::string opts = "mode=0777";
        if (v.empty_dir->size_limit && v.empty_dir->size_limit->Value() > 0) {
          opts += ",size=" + std::to_string(v.empty_dir->size_limit->Value());
        }
        if (::mount("tmpfs", p.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
          return Errno("volume " + v.name + ": mount tmpfs on " + p);
        }
        fresh = true;
      }
      // fsGroup: the volume's group becomes fsGroup, with group rw and setgid so new files inherit it.
      const auto& sc = pod.spec.security_context;
      if (fresh && sc && sc->fs_group) {
        if (Status s = SetVolumeOwnership(p, *sc->fs_group, sc->fs_group_change_policy, false); !s.ok()) {
          return s.Wrap("volume " + v.name);
        }
      }
      (*paths)[v.name] = p;
    } else if (v.host_path) {
      if (Status s = CheckHostPath(v.name, *v.host_path); !s.ok()) return s;
      (*paths)[v.name] = v.host_path->path;
    } else if (v.persistent_volume_claim && !paths->count(v.name)) {
      // ClaimVolumes::Mount fills these first; without it (no claim source) the pod waits.
      return Status::FailedPrecondition("volume " + v.name + ": persistentvolumeclaim \"" +
                                        v.persistent_volume_claim->claim_name + "\" not found");
    }
  }
  return Status::Ok();
}

std::string PodFiles::ObjectVolumePath(const manifests::Volume& v) const {
  const char* plugin = "projected";
  switch (v.object->kind) {
    case manifests::ObjectVolumeSource::Kind::kConfigMap: plugin = "configmap"; break;
    case manifests::ObjectVolumeSource::Kind::kSecret: plugin = "secret"; break;
    case manifests::ObjectVolumeSource::Kind::kDownwardApi: plugin = "downward-api"; break;
    case manifests::ObjectVolumeSource::Kind::kProjected: plugin = "projected"; break;
  }
  return dir_ + "/volumes/kubernetes.io~" + plugin + "/" + v.name;
}

Status PodFiles::PrepareObjectVolumes(const manifests::Pod& pod, const manifests::LocalObjects& objects,
                                      const ContainerContext& ctx, const std::string& stamp,
                                      std::map<std::string, Projection>* written,
                                      std::map<std::string, std::string>* paths) const {
  for (const auto& v : pod.spec.volumes) {
    if (!v.object) continue;
    Projection payload;
    if (Status s = ProjectVolume(v, pod, objects, ctx, &payload); !s.ok()) {
      return Status(s.code(), "for volume \"" + v.name + "\" : " + s.message());
    }
    std::string p = ObjectVolumePath(v);
    // What this syncer wrote last, still in place: no stat, mount check or file reads on a running pod's sync.
    if (auto last = written->find(v.name); last != written->end() && last->second == payload && !CurrentVersionDir(p).empty()) {
      (*paths)[v.name] = p;
      continue;
    }
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return Status::Internal("for volume \"" + v.name + "\" : cannot create " + p + ": " + ec.message());
    // Secret data never touches the node's disk: kubelet's secret plugin mounts tmpfs first.
    if (manifests::NeedsTmpfs(*v.object) && !IsMountPoint(p) &&
        ::mount("tmpfs", p.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
      return Errno("for volume \"" + v.name + "\" : mount tmpfs on " + p);
    }
    bool changed = false;
    if (Status s = WriteAtomically(p, payload, stamp, &changed); !s.ok()) {
      written->erase(v.name);
      return Status(s.code(), "for volume \"" + v.name + "\" : " + s.message());
    }
    (*written)[v.name] = std::move(payload);
    (*paths)[v.name] = p;
  }
  return Status::Ok();
}

Status PodFiles::PrepareSubPath(const std::string& volume_path, const std::string& sub_path, const std::string& volume,
                                std::string* host_path) const {
  fs::path rel = fs::path(sub_path).lexically_normal();
  if (rel.is_absolute() || rel.empty() || *rel.begin() == "..") {
    return Status::InvalidArgument("volumeMount " + volume + ": subPath " + sub_path + " must stay inside the volume");
  }
  fs::path full = fs::path(volume_path) / rel;
  std::error_code ec;
  if (!fs::exists(full, ec)) {
    fs::create_directories(full, ec);
    if (ec) return Status::Internal("volumeMount " + volume + ": cannot create subPath " + full.string() + ": " + ec.message());
    ::chmod(full.c_str(), 0777);
  }
  // A symlink inside the volume must not lead outside it.
  fs::path real = fs::canonical(full, ec);
  fs::path base = fs::canonical(volume_path, ec);
  if (ec || real.string().rfind(base.string(), 0) != 0) {
    return Status::InvalidArgument("volumeMount " + volume + ": subPath " + sub_path + " resolves outside the volume");
  }
  *host_path = real.string();
  return Status::Ok();
}

Status PodFiles::WriteEtcHosts(const std::string& content) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::Internal("cannot create " + dir_ + ": " + ec.message());
  std::string tmp = EtcHostsPath() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out) return Status::Internal("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0644);
  if (::rename(tmp.c_str(), EtcHostsPath().c_str()) != 0) return Errno("rename " + tmp);
  return Status::Ok();
}

Status PodFiles::CreateTerminationLog(const std::string& container, std::string* path) const {
  std::string dir = dir_ + "/containers/" + container;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir + ": " + ec.message());
  static thread_local std::mt19937 rng{std::random_device{}()};
  char name[16];
  std::snprintf(name, sizeof name, "%08x", static_cast<unsigned>(rng()));
  *path = dir + "/" + name;
  int fd = ::open(path->c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return Errno("create " + *path);
  ::fchmod(fd, 0666);  // any container user may write its message
  ::close(fd);
  return Status::Ok();
}

Status PodFiles::Remove() const {
  std::error_code ec;
  // tmpfs of emptyDir Memory and of secret-holding object volumes, in every plugin's directory.
  std::string volumes = dir_ + "/volumes";
  if (fs::exists(volumes, ec)) {
    for (const auto& plugin : fs::directory_iterator(volumes, ec)) {
      for (const auto& entry : fs::directory_iterator(plugin.path(), ec)) {
        std::string p = entry.path().string();
        if (IsMountPoint(p) && ::umount2(p.c_str(), 0) != 0 && ::umount2(p.c_str(), MNT_DETACH) != 0) {
          return Errno("unmount " + p);
        }
      }
    }
  }
  fs::remove_all(dir_, ec);
  if (ec) return Status::Internal("remove " + dir_ + ": " + ec.message());
  return Status::Ok();
}

std::string ReadTerminationMessage(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string data(4096, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

std::string TailCriLog(const std::string& path, int lines, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  // Read a generous window from the end; CRI lines carry ~40 bytes of prefix.
  size_t window = std::min(size, max_bytes * 4 + 4096);
  in.seekg(static_cast<std::streamoff>(size - window));
  std::string data(window, '\0');
  in.read(data.data(), static_cast<std::streamsize>(window));
  // The window may begin mid-line: drop up to the first newline, then read whole messages.
  if (window < size) {
    size_t nl = data.find('\n');
    data.erase(0, nl == std::string::npos ? data.size() : nl + 1);
  }
  std::vector<std::string> out;
  CriLogReader reader([&](std::string_view, std::string_view, const std::string& message) { out.push_back(message); });
  reader.Feed(data);
  size_t start = out.size() > static_cast<size_t>(lines) ? out.size() - lines : 0;
  std::string result;
  for (size_t i = start; i < out.size(); ++i) result += out[i] + "\n";
  if (result.size() > max_bytes) result = result.substr(result.size() - max_bytes);
  return result;
}

std::string TerminationMessage(const ObservedContainer& c) {
  std::string msg = ReadTerminationMessage(c.termination_message_host_path);
  if (msg.empty() && c.exit_code != 0 && c.termination_message_policy == "FallbackToLogsOnError") {
    msg = TailCriLog(c.log_path, 80, 2048);
  }
  return msg;
}

}  // namespace crilet::agent
