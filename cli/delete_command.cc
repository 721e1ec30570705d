// crilet delete: kubectl delete for objects crilet apply wrote.
#include "cli/delete_command.h"

#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/apply_objects.h"
#include "cli/daemon_locator.h"
#include "cli/manifest_inputs.h"
#include "cli/manifest_writer.h"
#include "cli/status_lookup.h"
#include "cli/wait_command.h"
#include "common/duration.h"

namespace crilet::cli {
namespace {

struct Wanted {
  std::string kind, ns, name;
};

}  // namespace

int DeleteCommand(int argc, char** argv) {
  CLI::App app{
      "crilet delete: remove objects that crilet apply wrote from the local crilet's manifest directory (like kubectl delete).\n"
      "  crilet delete -f FILE|DIR|-            the objects of those manifests\n"
      "  crilet delete pod|configmap|secret|pvc|pv NAME [-n NS]\n"
      "Only files crilet apply wrote (<namespace>.<name>.<kind>.yaml, with its header line) are removed; an object\n"
      "of a hand-written file is refused, naming the file. Pods are waited for until the crilet no longer lists them\n"
      "(--wait=false returns at once)."};
  app.name("crilet delete");
  std::vector<std::string> files, positional;
  std::string ns = "default", timeout_text = "0s", manifest_dir, server, config;
  bool wait = true;
  app.add_option("-f,--filename", files, "Manifests naming the objects to delete (file, directory, URL or -); repeatable");
  app.add_option("args", positional, "RESOURCE NAME...");
  app.add_option("-n,--namespace", ns, "The objects' namespace")->capture_default_str();
  app.add_flag("--wait", wait, "Wait until the pods are gone from the crilet's /pods (--wait=false: do not) [default: true]");
  app.add_option("--timeout", timeout_text, "How long to wait for the pods to go (0 = forever)")->capture_default_str();
  AddDaemonLookupFlags(&app, &manifest_dir, &server, &config);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string why;
  auto timeout = ParseDuration(timeout_text, &why);
  if (!timeout) {
    std::cerr << "error: --timeout: " << why << "\n";
    return 1;
  }
  std::vector<Wanted> wanted;
  if (!files.empty()) {
    if (!positional.empty()) {
      std::cerr << "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'crilet delete -f FILE' or 'crilet delete pod NAME')\n";
      return 1;
    }
    std::vector<ManifestInput> inputs;
    if (Status s = ReadManifestInputs(files, &inputs); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
    for (const auto& in : inputs) {
      std::vector<AppliedObject> objects;
      if (!SplitObjects(in.content, &objects, &why)) {
        std::cerr << "error: " << in.name << ": " << why << "\n";
        return 1;
      }
      for (const auto& o : objects) wanted.push_back({o.kind, o.namespace_, o.name});
    }
  } else {
    if (positional.size() < 2) {
      std::cerr << "error: give -f FILE, or a resource and a name: crilet delete pod NAME\n";
      return 1;
    }
    std::string kind = KindForResource(positional[0]);
    if (kind.empty()) {
      std::cerr << "error: the server doesn't have a resource type \"" << positional[0] << "\"\n";
      return 1;
    }
    for (size_t i = 1; i < positional.size(); ++i) wanted.push_back({kind, kind == "PersistentVolume" ? "" : ns, positional[i]});
  }
  DaemonLocation where;
  if (Status s = LocateDaemon(GatherLocatorInputs(manifest_dir, server, config), RealLocatorIo(), true, &where); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::vector<ManifestDirFile> dir_files;
  if (Status s = ListManifestDir(where.manifest_dir, &dir_files); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  int status = 0;
  std::vector<Wanted> pods_deleted;
  for (const auto& w : wanted) {
    DeleteTarget t = FindDeleteTarget(w.kind, w.ns, w.name, dir_files);
    const std::string word = ResourceWord(w.kind);
    if (t.kind == DeleteTarget::Kind::kNotFound) {
      std::cerr << "Error from server (NotFound): " << word << "s \"" << w.name << "\" not found\n";
      status = 1;
      continue;
    }
    const std::string path = where.manifest_dir + "/" + t.file;
    if (t.kind == DeleteTarget::Kind::kHandWritten) {
      std::cerr << "error: " << HandWrittenRefusal(w.kind, w.name, path, t.documents) << "\n";
      status = 1;
      continue;
    }
    if (::unlink(path.c_str()) != 0) {
      std::cerr << "error: cannot remove " << path << ": " << std::strerror(errno) << "\n";
      status = 1;
      continue;
    }
    std::cout << word << " \"" << w.name << "\" deleted\n";
    if (w.kind == "Pod") pods_deleted.push_back(w);
  }
  if (!wait || pods_deleted.empty()) return status;
  std::unique_ptr<StatusSource> source;
  if (Status s = StatusSourceFor(where, &source); !s.ok()) {
    std::cerr << "error: cannot wait for the pods to go: " << s.message() << "\n";
    return 1;
  }
  std::optional<std::chrono::nanoseconds> limit;
  if (timeout->count() > 0) limit = *timeout;
  WaitCondition gone;
  gone.kind = WaitCondition::Kind::kDelete;
  for (const auto& p : pods_deleted) {
    if (Status s = WaitForPod(*source, p.ns, p.name, gone, limit); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace crilet::cli
