// crilet run NAME --image: kubectl run for the node.
#include "cli/run_pod_command.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/apply_command.h"
#include "cli/apply_objects.h"
#include "cli/daemon_locator.h"
#include "cli/manifest_writer.h"
#include "cli/run_pod.h"
#include "common/json_yaml.h"

namespace crilet::cli {

int RunPodCommand(int argc, char** argv) {
  CLI::App app{
      "crilet run NAME --image IMAGE: create a pod on the local crilet, as kubectl run does (label run=NAME, one\n"
      "container named NAME, restartPolicy Always unless --restart says otherwise). The words after -- are the\n"
      "container's args, or its command with --command. The pod is validated and written like crilet apply's,\n"
      "as <namespace>.NAME.pod.yaml in the manifest directory.\n"
      "Without --image, 'crilet run' starts the node agent instead (crilet run --help without --image lists its flags)."};
  app.name("crilet run");
  RunPodFlags f;
  std::string dry_run, output, manifest_dir, server, config;
  app.add_option("name", f.name, "The pod's name")->required();
  app.add_option("--image", f.image, "The container's image")->required();
  app.add_option("--restart", f.restart, "The pod's restartPolicy: Always, OnFailure or Never")->capture_default_str();
  app.add_option("--env", f.env, "Environment variable K=V; repeatable");
  app.add_option("--port", f.port, "The port the container exposes");
  app.add_option("-l,--labels", f.labels, "Labels k=v,k2=v2 [default: run=NAME]");
  app.add_option("-n,--namespace", f.ns, "The pod's namespace [default: default]");
  app.add_option("--image-pull-policy", f.image_pull_policy, "The container's imagePullPolicy");
  app.add_flag("--command", f.command, "The words after -- are the command, not the args");
  app.add_option("--dry-run", dry_run, "client: only print the pod (with -o yaml|json)");
  app.add_option("-o,--output", output, "yaml or json (with --dry-run=client)");
  AddDaemonLookupFlags(&app, &manifest_dir, &server, &config);
  // The words after "--" belong to the container, never to the flags.
  std::vector<std::string> own;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      for (int j = i + 1; j < argc; ++j) f.words.emplace_back(argv[j]);
      break;
    }
    own.emplace_back(argv[i]);
  }
  std::vector<const char*> args;
  for (const auto& a : own) args.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(args.size()), const_cast<char**>(args.data()));
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!dry_run.empty() && dry_run != "client" && dry_run != "none") {
    std::cerr << "error: Invalid dry-run value (" << dry_run << "). Must be \"none\", \"server\", or \"client\".\n";
    return 1;
  }
  if (!output.empty() && output != "yaml" && output != "json") {
    std::cerr << "error: unable to match a printer suitable for the output format \"" << output
              << "\", allowed formats are: json,yaml\n";
    return 1;
  }
  nlohmann::json pod;
  if (Status s = BuildRunPod(f, &pod); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  const std::string yaml = JsonToYaml(pod);
  if (dry_run == "client") {
    std::cout << (output == "json" ? pod.dump(4) + "\n" : yaml);
    return 0;
  }
  DaemonLocation where;
  if (Status s = LocateDaemon(GatherLocatorInputs(manifest_dir, server, config), RealLocatorIo(), true, &where); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  // kubectl run creates; it never replaces a pod of the same name.
  const std::string ns = f.ns.empty() ? "default" : f.ns;
  std::optional<std::string> existing;
  if (Status s = ReadExisting(where.manifest_dir + "/" + ObjectFileName("Pod", ns, f.name), &existing); s.ok() && existing) {
    std::cerr << "Error from server (AlreadyExists): pods \"" << f.name << "\" already exists\n";
    return 1;
  }
  return ApplyManifests({ManifestInput{"crilet run " + f.name, false, yaml}}, where.manifest_dir,
                        DaemonNodeName(where.server), std::cout, std::cerr);
}

}  // namespace crilet::cli
