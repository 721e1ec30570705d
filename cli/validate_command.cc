// Offline manifest validation.
#include "cli/validate_command.h"

#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include "agent/pull_credentials.h"
#include "cli/node_identity.h"
#include "cli/node_info.h"
#include "manifests/loader.h"
#include "manifests/manifest_file.h"
#include "manifests/parser.h"
#include "manifests/path_safety.h"
#include "manifests/printer.h"

namespace crilet::cli {

int RunValidate(const std::vector<std::string>& files, const std::string& node, std::ostream& out, std::ostream& err) {
  int status = 0;
  bool first = true;
  manifests::LocalObjects objects;  // of every file given, for the references check at the end
  std::vector<manifests::Pod> pods;
  for (const auto& path : files) {
    std::string data, error;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
      err << "error: " << path << ": cannot read: " << std::strerror(errno) << "\n";
      status = 1;
      continue;
    }
    // Judged before opening, so a FIFO or a device is never opened, let alone read.
    if (std::string why = manifests::NotRegularProblem(info); !why.empty()) {
      err << "error: " << path << ": " << why << "\n";
      status = 1;
      continue;
    }
    if (!manifests::ReadManifestFile(path, &data, &info, &error)) {
      err << "error: " << path << ": " << error << "\n";
      status = 1;
      continue;
    }
    auto owner = manifests::CheckOwnership({info.st_uid, info.st_gid, info.st_mode}, static_cast<uint32_t>(::geteuid()));
    if (owner.unsafe()) {
      err << "warning: " << path << ": crilet run would refuse this file: " << manifests::RefusalMessage(owner) << "\n";
    }
    manifests::LoadOptions lo;
    lo.node_name = node;
    lo.source = manifests::PodSource{"file", path, 0};
    manifests::LoadResult r = manifests::LoadManifest(data, lo);
    for (const auto& w : r.warnings) err << "warning: " << w.ToString() << "\n";
    for (const auto& e : r.errors) err << "error: " << e.ToString() << "\n";
    if (!r.errors.empty()) status = 1;
    // Objects as YAML comments, so the output stays the pods' YAML; a Secret's values are never printed.
    auto keys = [](const auto& map) {
      std::string names;
      for (const auto& [k, v] : map) names += (names.empty() ? "" : ", ") + k;
      return std::to_string(map.size()) + (map.size() == 1 ? " key" : " keys") + (names.empty() ? "" : " (" + names + ")");
    };
    for (const auto& c : r.objects.config_maps) {
      std::map<std::string, std::string> all = c.data;
      all.insert(c.binary_data.begin(), c.binary_data.end());
      out << "# ConfigMap " << c.namespace_ << "/" << c.name << ": " << keys(all) << "\n";
    }
    for (const auto& sec : r.objects.secrets) {
      out << "# Secret " << sec.namespace_ << "/" << sec.name << " (" << sec.type << "): " << keys(sec.data) << "\n";
    }
    for (const auto& c : r.objects.claims) {
      out << "# PersistentVolumeClaim " << c.namespace_ << "/" << c.name << ": "
          << (c.storage_request ? c.storage_request->text : "") << ", accessModes";
      for (const auto& m : c.access_modes) out << " " << m;
      if (c.storage_class_name) out << ", storageClassName \"" << *c.storage_class_name << "\"";
      if (!c.volume_name.empty()) out << ", volumeName " << c.volume_name;
      out << "\n";
    }
    for (const auto& v : r.objects.persistent_volumes) {
      out << "# PersistentVolume " << v.name << ": " << v.source_kind << " " << v.path << ", "
          << (v.capacity ? v.capacity->text : "") << ", reclaim " << v.reclaim_policy << "\n";
    }
    for (const auto& pod : r.pods) {
      if (!first) out << "---\n";
      first = false;
      out << manifests::PodToYaml(pod);
    }
    for (auto& x : r.objects.config_maps) objects.config_maps.push_back(std::move(x));
    for (auto& x : r.objects.secrets) objects.secrets.push_back(std::move(x));
    for (auto& p : r.pods) pods.push_back(std::move(p));
  }
  for (const auto& line : MissingReferences(pods, objects)) err << "warning: " << line << "\n";
  return status;
}

std::vector<std::string> MissingReferences(const std::vector<manifests::Pod>& pods, const manifests::LocalObjects& objects) {
  std::vector<std::string> out;
  for (const auto& pod : pods) {
    const std::string where = pod.source.path + ": pod " + pod.metadata.namespace_ + "/" + pod.metadata.name + ": ";
    for (const auto& name : agent::MissingPullSecrets(pod, objects)) {
      out.push_back(where + "imagePullSecrets: secret \"" + name +
                    "\" is not in the files given; crilet would pull without it (FailedToRetrieveImagePullSecret)");
    }
    for (size_t i = 0; i < pod.spec.volumes.size(); ++i) {
      const auto& v = pod.spec.volumes[i];
      if (!v.object) continue;
      for (const auto& src : v.object->sources) {
        std::string kind, name;
        bool found = true;
        if (src.config_map && !src.config_map->optional.value_or(false)) {
          kind = "configmap", name = src.config_map->name;
          found = objects.FindConfigMap(pod.metadata.namespace_, name) != nullptr;
        } else if (src.secret && !src.secret->optional.value_or(false)) {
          kind = "secret", name = src.secret->name;
          found = objects.FindSecret(pod.metadata.namespace_, name) != nullptr;
        }
        if (found) continue;
        out.push_back(where + "spec.volumes[" + std::to_string(i) + "]: " + kind + " \"" + name +
                      "\" is not in the files given; the pod would wait in ContainerCreating (FailedMount) until it is");
      }
    }
  }
  return out;
}

int ValidateCommand(int argc, char** argv) {
  CLI::App app{"crilet validate: check static pod manifests and print them normalized (defaults applied)."};
  app.name("crilet validate");
  std::vector<std::string> files;
  std::string node;
  app.add_option("files", files, "Manifest files")->required();
  app.add_option("--hostname-override", node, "Node name used for the static pod name suffix [default: host name]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string node_name;
  if (Status s = NodeName(node, DefaultNodeName(), &node_name); !s.ok()) {
    std::cerr << "crilet validate: " << s.message() << "\n";
    return 2;
  }
  return RunValidate(files, node_name, std::cout, std::cerr);
}

}  // namespace crilet::cli
