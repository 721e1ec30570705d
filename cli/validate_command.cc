// Offline manifest validation.
#include "cli/validate_command.h"

#include <CLI/CLI.hpp>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include "agent/pull_credentials.h"
#include "cli/manifest_inputs.h"
#include "cli/node_identity.h"
#include "cli/node_info.h"
#include "manifests/loader.h"
#include "manifests/manifest_file.h"
#include "manifests/parser.h"
#include "manifests/path_safety.h"
#include "manifests/pod_json.h"
#include "manifests/printer.h"

namespace crilet::cli {

namespace {

// The files a validate argument names: a directory's manifests (as apply -f DIR reads them), "-" or the path.
std::vector<std::string> ExpandArgument(const std::string& arg) {
  struct stat info {};
  if (arg == "-" || ::stat(arg.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return {arg};
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(arg.c_str())) {
    while (dirent* e = ::readdir(dir)) names.emplace_back(e->d_name);
    ::closedir(dir);
  }
  std::string base = arg;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<std::string> out;
  for (const auto& n : ManifestFilesOf(std::move(names))) out.push_back(base + "/" + n);
  return out;
}

nlohmann::json ErrorJson(const manifests::FieldError& e) {
  return {{"file", e.file}, {"line", e.line}, {"field", e.path}, {"message", e.message}};
}

}  // namespace

int RunValidate(const std::vector<std::string>& args, const std::string& node, std::ostream& out, std::ostream& err,
                bool json) {
  int status = 0;
  bool first = true;
  manifests::LocalObjects objects;  // of every file given, for the references check at the end
  std::vector<manifests::Pod> pods;
  nlohmann::json errors = nlohmann::json::array(), warnings = nlohmann::json::array(), items = nlohmann::json::array();
  auto fail = [&](const manifests::FieldError& e) {
    status = 1;
    if (json) errors.push_back(ErrorJson(e));
    else err << "error: " << e.ToString() << "\n";
  };
  auto warn = [&](const manifests::FieldError& e) {
    if (json) warnings.push_back(ErrorJson(e));
    else err << "warning: " << e.ToString() << "\n";
  };
  std::vector<std::string> files;
  for (const auto& a : args) {
    auto expanded = ExpandArgument(a);
    if (expanded.empty()) warn(manifests::FieldError{a, 0, "", "no *.yaml, *.yml or *.json files in this directory"});
    files.insert(files.end(), expanded.begin(), expanded.end());
  }
  for (const auto& path : files) {
    std::string data, error;
    std::string name = path;
    if (path == "-") {
      name = "STDIN";
      data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      struct stat info {};
      if (::stat(path.c_str(), &info) != 0) {
        fail(manifests::FieldError{path, 0, "", std::string("cannot read: ") + std::strerror(errno)});
        continue;
      }
      // Judged before opening, so a FIFO or a device is never opened, let alone read.
      if (std::string why = manifests::NotRegularProblem(info); !why.empty()) {
        fail(manifests::FieldError{path, 0, "", why});
        continue;
      }
      if (!manifests::ReadManifestFile(path, &data, &info, &error)) {
        fail(manifests::FieldError{path, 0, "", error});
        continue;
      }
      auto owner = manifests::CheckOwnership({info.st_uid, info.st_gid, info.st_mode}, static_cast<uint32_t>(::geteuid()));
      if (owner.unsafe()) {
        warn(manifests::FieldError{path, 0, "", "crilet run would refuse this file: " + manifests::RefusalMessage(owner)});
      }
    }
    manifests::LoadOptions lo;
    lo.node_name = node;
    lo.source = manifests::PodSource{"file", name, 0};
    manifests::LoadResult r = manifests::LoadManifest(data, lo);
    for (const auto& w : r.warnings) warn(w);
    for (const auto& e : r.errors) fail(e);
    // Objects as YAML comments, so the output stays the pods' YAML; a Secret's values are never printed.
    auto keys = [](const auto& map) {
      std::string names;
      for (const auto& [k, v] : map) names += (names.empty() ? "" : ", ") + k;
      return std::to_string(map.size()) + (map.size() == 1 ? " key" : " keys") + (names.empty() ? "" : " (" + names + ")");
    };
    for (const auto& pod : r.pods) {
      if (json) items.push_back(manifests::PodToJson(pod));
    }
    for (const auto& c : json ? std::vector<manifests::ConfigMap>{} : r.objects.config_maps) {
      std::map<std::string, std::string> all = c.data;
      all.insert(c.binary_data.begin(), c.binary_data.end());
      out << "# ConfigMap " << c.namespace_ << "/" << c.name << ": " << keys(all) << "\n";
    }
    for (const auto& sec : json ? std::vector<manifests::Secret>{} : r.objects.secrets) {
      out << "# Secret " << sec.namespace_ << "/" << sec.name << " (" << sec.type << "): " << keys(sec.data) << "\n";
    }
    for (const auto& c : json ? std::vector<manifests::PersistentVolumeClaim>{} : r.objects.claims) {
      out << "# PersistentVolumeClaim " << c.namespace_ << "/" << c.name << ": "
          << (c.storage_request ? c.storage_request->text : "") << ", accessModes";
      for (const auto& m : c.access_modes) out << " " << m;
      if (c.storage_class_name) out << ", storageClassName \"" << *c.storage_class_name << "\"";
      if (!c.volume_name.empty()) out << ", volumeName " << c.volume_name;
      out << "\n";
    }
    for (const auto& v : json ? std::vector<manifests::PersistentVolume>{} : r.objects.persistent_volumes) {
      out << "# PersistentVolume " << v.name << ": " << v.source_kind << " " << v.path << ", "
          << (v.capacity ? v.capacity->text : "") << ", reclaim " << v.reclaim_policy << "\n";
    }
    for (const auto& pod : json ? std::vector<manifests::Pod>{} : r.pods) {
      if (!first) out << "---\n";
      first = false;
      out << manifests::PodToYaml(pod);
    }
    for (auto& x : r.objects.config_maps) objects.config_maps.push_back(std::move(x));
    for (auto& x : r.objects.secrets) objects.secrets.push_back(std::move(x));
    for (auto& p : r.pods) pods.push_back(std::move(p));
  }
  for (const auto& line : MissingReferences(pods, objects)) {
    if (json) warnings.push_back({{"message", line}});
    else err << "warning: " << line << "\n";
  }
  if (json) {
    out << nlohmann::json{{"valid", status == 0}, {"errors", errors}, {"warnings", warnings},
                          {"kind", "List"}, {"apiVersion", "v1"}, {"items", items}}.dump(2)
        << "\n";
  }
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
  std::string node, output;
  app.add_option("files", files, "manifest files, directories (their *.yaml, *.yml, *.json) or - for standard input")
      ->required();
  app.add_option("-o,--output", output, "json: one JSON document with valid, errors, warnings and the pods")
      ->check(CLI::IsMember({"json"}));
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
  return RunValidate(files, node_name, std::cout, std::cerr, output == "json");
}

}  // namespace crilet::cli
