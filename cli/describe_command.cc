// crilet describe pod: fetches the pod, its events and the claims, and prints DescribePod.
#include "cli/describe_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/ephemeral.h"
#include "cli/pod_lookup.h"
#include "cli/status_client.h"

namespace crilet::cli {

using nlohmann::json;

int DescribeCommand(int argc, char** argv) {
  CLI::App app{"crilet describe pod: a pod in detail, with its recent events (like kubectl describe)."};
  app.name("crilet describe");
  std::string what, pod, ns = "default", server = DefaultServer();
  app.add_option("resource", what, "pod")->required()->check(CLI::IsMember({"pod", "pods", "po"}));
  app.add_option("name", pod, "pod name")->required();
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  json j;
  if (Status s = FindPod(server, ns, pod, "?events=1", &j); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  json claims;
  if (GetJson(server, "/pvc", &claims).ok() && claims.contains("items")) j["claims"] = claims["items"];
  AddEphemeralContainers(server, &j);  // crilet debug's containers, from the runtime
  std::cout << DescribePod(j, std::chrono::system_clock::now());
  return 0;
}

}  // namespace crilet::cli
