// crilet describe pod: fetches the pod, its events and the claims, and prints DescribePod.
#include "cli/describe_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/ephemeral.h"
#include "cli/pod_lookup.h"
#include "cli/status_lookup.h"

namespace crilet::cli {

using nlohmann::json;

int DescribeCommand(int argc, char** argv) {
  CLI::App app{"crilet describe pod: a pod in detail, with its recent events (like kubectl describe)."};
  app.name("crilet describe");
  std::string what, pod, ns = "default";
  StatusFlags daemon;
  app.add_option("resource", what, "pod")->required()->check(CLI::IsMember({"pod", "pods", "po"}));
  app.add_option("name", pod, "pod name")->required();
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::unique_ptr<StatusSource> source;
  json j;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok() || !(s = FindPod(*source, ns, pod, "?events=1", &j)).ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  json claims;
  if (source->GetJson("/pvc", &claims).ok() && claims.contains("items")) j["claims"] = claims["items"];
  AddEphemeralContainers(*source, &j);  // crilet debug's containers, from the runtime
  std::cout << DescribePod(j, std::chrono::system_clock::now());
  return 0;
}

}  // namespace crilet::cli
