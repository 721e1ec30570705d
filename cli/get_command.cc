// crilet get pods, configmaps, secrets and pvc.
#include "cli/get_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/object_tables.h"
#include "cli/pod_lookup.h"
#include "cli/pod_table.h"
#include "cli/status_client.h"
#include "common/json_yaml.h"

namespace crilet::cli {
namespace {

// configmaps, secrets, pvc: from /configmaps, /secrets, /pvc (which never carry secret values).
int GetObjects(const std::string& resource, const std::string& name, const std::string& ns, bool all_namespaces,
               const std::string& output, const std::string& server) {
  nlohmann::json list;
  if (Status s = GetJson(server, "/" + resource, &list); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : list.value("items", nlohmann::json::array())) {
    const auto meta = item.value("metadata", nlohmann::json::object());
    if (!all_namespaces && meta.value("namespace", "default") != ns) continue;
    if (!name.empty() && meta.value("name", "") != name) continue;
    items.push_back(item);
  }
  const std::string kind = resource == "pvc" ? "persistentvolumeclaims" : resource;
  if (!name.empty() && items.empty()) {
    std::cerr << "Error from server (NotFound): " << kind << " \"" << name << "\" not found\n";
    return 1;
  }
  nlohmann::json shown = name.empty() ? nlohmann::json(list) : items[0];
  if (name.empty()) shown["items"] = items;
  if (output == "json") {
    std::cout << shown.dump(4) << "\n";
  } else if (output == "yaml") {
    std::cout << JsonToYaml(shown);
  } else if (items.empty()) {
    std::cerr << (all_namespaces ? std::string("No resources found.") : "No resources found in " + ns + " namespace.") << "\n";
  } else {
    std::cout << FormatObjectTable(resource, {{"items", items}}, ns, all_namespaces, std::chrono::system_clock::now());
  }
  return 0;
}

}  // namespace

int GetCommand(int argc, char** argv) {
  CLI::App app{"crilet get: list the pods, configmaps, secrets or pvc of a running crilet (like kubectl get)."};
  app.name("crilet get");
  std::string what, name, output, server = DefaultServer(), ns = "default";
  bool all_namespaces = false;
  app.add_option("resource", what, "pods, configmaps (cm), secrets or pvc")
      ->required()
      ->check(CLI::IsMember({"pods", "pod", "po", "configmaps", "configmap", "cm", "secrets", "secret", "pvc",
                             "persistentvolumeclaims", "persistentvolumeclaim"}));
  app.add_flag("-A,--all-namespaces", all_namespaces, "configmaps, secrets, pvc: of every namespace");
  app.add_option("name", name, "one pod (its full name, e.g. web-node1) or object");
  app.add_option("-o,--output", output, "wide, json or yaml")->check(CLI::IsMember({"wide", "json", "yaml"}));
  app.add_option("-n,--namespace", ns, "namespace of NAME, or of the objects listed [default: default]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (std::string resource = ObjectResource(what); !resource.empty()) return GetObjects(resource, name, ns, all_namespaces, output, server);
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
