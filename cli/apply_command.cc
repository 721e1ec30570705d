// crilet apply: kubectl apply for the node's manifest directory.
#include "cli/apply_command.h"

#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <iostream>

#include "cli/apply_objects.h"
#include "cli/daemon_locator.h"
#include "cli/manifest_writer.h"
#include "manifests/loader.h"

namespace crilet::cli {

int ApplyManifests(const std::vector<ManifestInput>& inputs, const std::string& dir, const std::string& node,
                   std::ostream& out, std::ostream& err) {
  // Everything is checked before anything is written: a half-applied set would leave pods without their objects.
  size_t errors = 0;
  std::vector<AppliedObject> objects;
  for (const auto& in : inputs) {
    manifests::LoadOptions lo;
    lo.node_name = node;
    lo.source = manifests::PodSource{in.url ? "http" : "file", in.name, 0};
    manifests::LoadResult r = manifests::LoadManifest(in.content, lo);
    for (const auto& w : r.warnings) err << "warning: " << w.ToString() << "\n";
    for (const auto& e : r.errors) err << "error: " << e.ToString() << "\n";
    errors += r.errors.size();
    if (!r.errors.empty()) continue;
    std::string why;
    if (!SplitObjects(in.content, &objects, &why)) {
      err << "error: " << in.name << ": " << why << "\n";
      ++errors;
    }
  }
  if (errors > 0) {
    err << "error: nothing applied: " << errors << (errors == 1 ? " error" : " errors") << " in the manifests\n";
    return 1;
  }
  if (objects.empty()) {
    err << "error: no objects passed to apply\n";
    return 1;
  }
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    err << "error: the manifest directory " << dir << " does not exist (or is not a directory)\n";
    return 1;
  }
  // An object a hand-written file already defines would run twice (or fight over its name): refused, as
  // delete refuses to edit such a file.
  std::vector<ManifestDirFile> present;
  if (Status s = ListManifestDir(dir, &present); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  for (const auto& o : objects) {
    DeleteTarget t = FindDeleteTarget(o.kind, o.namespace_, o.name, present);
    if (t.kind != DeleteTarget::Kind::kHandWritten) continue;
    err << "error: " << ResourceWord(o.kind) << " \"" << o.name << "\" is already defined by " << dir << "/" << t.file
        << ", which crilet apply did not write; edit that file instead, or remove the object from it first\n";
    ++errors;
  }
  if (errors > 0) {
    err << "error: nothing applied\n";
    return 1;
  }
  int status = 0;
  for (const auto& o : objects) {
    const std::string file = ObjectFileName(o.kind, o.namespace_, o.name);
    std::optional<std::string> existing;
    if (Status s = ReadExisting(dir + "/" + file, &existing); !s.ok()) {
      err << "error: " << s.message() << "\n";
      status = 1;
      continue;
    }
    ApplyOutcome outcome = DecideApply(existing, o.content);
    if (outcome != ApplyOutcome::kUnchanged) {
      if (Status s = WriteManifestAtomically(dir, file, o.content, ObjectFileMode(o.kind)); !s.ok()) {
        err << "error: " << s.message() << "\n";
        status = 1;
        continue;
      }
    }
    out << ResourceWord(o.kind) << "/" << o.name << " " << ApplyOutcomeWord(outcome) << "\n";
  }
  return status;
}

int ApplyCommand(int argc, char** argv) {
  CLI::App app{
      "crilet apply: validate manifests and write them into the local crilet's manifest directory (like kubectl apply).\n"
      "Each object (Pod, ConfigMap, Secret, PersistentVolumeClaim, PersistentVolume) becomes one file,\n"
      "<namespace>.<name>.<kind>.yaml (<name>.persistentvolume.yaml for a PersistentVolume), written atomically,\n"
      "owned by root, mode 0600 for Secrets and 0644 otherwise. Any validation error refuses the whole apply.\n"
      "The manifest directory: --manifest-dir, else staticPodPath of --config or /etc/crilet/config.yaml,\n"
      "else the running crilet's /configz (at --server)."};
  app.name("crilet apply");
  std::vector<std::string> files;
  std::string manifest_dir, server, config;
  app.add_option("-f,--filename", files, "A manifest file, a directory (its *.yaml, *.yml, *.json), a URL, or - for stdin; repeatable")
      ->required();
  AddDaemonLookupFlags(&app, &manifest_dir, &server, &config);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::vector<ManifestInput> inputs;
  if (Status s = ReadManifestInputs(files, &inputs); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  DaemonLocation where;
  if (Status s = LocateDaemon(GatherLocatorInputs(manifest_dir, server, config), RealLocatorIo(), true, &where); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  return ApplyManifests(inputs, where.manifest_dir, DaemonNodeName(where.server), std::cout, std::cerr);
}

}  // namespace crilet::cli
