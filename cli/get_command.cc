// crilet get pods.
#include "cli/get_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/pod_lookup.h"
#include "cli/pod_table.h"
#include "cli/status_client.h"
#include "common/json_yaml.h"

namespace crilet::cli {
int GetCommand(int argc, char** argv) {
  CLI::App app{"crilet get pods: list the pods of a running crilet (like kubectl get pods)."};
  app.name("crilet get");
  std::string what, name, output, server = DefaultServer(), ns = "default";
  app.add_option("resource", what, "pods")->required()->check(CLI::IsMember({"pods", "pod", "po"}));
  app.add_option("name", name, "one pod (its full name, e.g. web-node1)");
  app.add_option("-o,--output", output, "wide, json or yaml")->check(CLI::IsMember({"wide", "json", "yaml"}));
  app.add_option("-n,--namespace", ns, "namespace of NAME [default: default]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  nlohmann::json j;
  Status s = name.empty() ? GetJson(server, "/pods", &j) : FindPod(server, ns, name, "", &j);
  if (!s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  // An agent that cannot reach its runtime lists no pods, or stale ones: "No resources found" would be a lie.
  if (std::string why = AgentHealthProblem(server); !why.empty()) {
    std::cerr << "Error: crilet at " << server << " cannot tell the pods' state: " << why << "\n";
    return 1;
  }
  if (output == "json") {
    std::cout << j.dump(4) << "\n";
  } else if (output == "yaml") {
    std::cout << JsonToYaml(j);
  } else {
    nlohmann::json list = name.empty() ? j : nlohmann::json{{"items", nlohmann::json::array({j})}};
    if (list["items"].empty()) {
      std::cerr << "No resources found.\n";
      return 0;
    }
    std::cout << FormatPodTable(list, output == "wide", std::chrono::system_clock::now());
  }
  return 0;
}

}  // namespace crilet::cli
