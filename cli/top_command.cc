// crilet top pods [NAME] [--containers] [-n NS|-A] [--sort-by cpu|memory], crilet top node.
#include "cli/top_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/selectors.h"
#include "cli/status_lookup.h"
#include "cli/top_table.h"

namespace crilet::cli {

int TopCommand(int argc, char** argv) {
  CLI::App app{"crilet top: the CPU (cores) and memory (working set) that pods, their containers or the node use, "
               "as kubectl top prints them. The figures are the running crilet's last collection (GET /stats/summary): "
               "CPU averaged over its --housekeeping-interval (10s)."};
  app.name("crilet top");
  std::string what;
  StatusFlags daemon;
  TopOptions o;
  bool no_headers = false;
  std::string selector;
  app.add_option("resource", what, "pods (pod, po) or node (nodes, no)")
      ->required()
      ->check(CLI::IsMember({"pods", "pod", "po", "node", "nodes", "no"}));
  app.add_option("name", o.name, "one pod (its full name, e.g. web-node1, or its manifest name) or the node");
  app.add_flag("--containers", o.containers, "pods: a row per container (POD NAME ...)");
  app.add_option("-n,--namespace", o.ns, "the pods' namespace [default: default]");
  app.add_flag("-A,--all-namespaces", o.all_namespaces, "the pods of every namespace (NAMESPACE first)");
  app.add_option("--sort-by", o.sort_by, "cpu or memory: largest first")->check(CLI::IsMember({"cpu", "memory"}));
  app.add_option("-l,--selector", selector, "pods: only those whose labels match (a=b, a!=b, a in (x,y), a, !a; joined by ',')");
  app.add_flag("--no-headers", no_headers, "leave out the header row");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  o.headers = !no_headers;
  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  LabelSelector labels;
  if (Status s = ParseLabelSelector(selector, &labels); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (!selector.empty()) {
    // The summary has no labels: the pods' come from /pods.
    nlohmann::json pods;
    if (Status s = source->GetJson("/pods", &pods); !s.ok()) {
      std::cerr << "Error: " << s.message() << "\n";
      return 1;
    }
    o.only.emplace();
    for (const auto& p : pods.value("items", nlohmann::json::array())) {
      const auto meta = p.value("metadata", nlohmann::json::object());
      if (MatchesLabels(labels, meta.value("labels", std::map<std::string, std::string>{}))) {
        o.only->insert({meta.value("namespace", "default"), meta.value("name", "")});
      }
    }
  }
  nlohmann::json summary;
  if (Status s = source->GetJson("/stats/summary", &summary); !s.ok()) {
    std::cerr << "error: Metrics API not available: " << s.message() << "\n";
    return 1;
  }
  if (what == "node" || what == "nodes" || what == "no") {
    const std::string node = summary.value("node", nlohmann::json::object()).value("nodeName", "");
    if (!o.name.empty() && o.name != node) {
      std::cerr << "Error from server (NotFound): nodemetrics.metrics.k8s.io \"" << o.name << "\" not found\n";
      return 1;
    }
    nlohmann::json spec;
    if (Status s = source->GetJson("/spec", &spec); !s.ok()) spec = nlohmann::json::object();  // no percentages
    std::cout << FormatTopNode(summary, spec, o.headers);
    return 0;
  }
  if (!o.name.empty()) {
    // The manifest's name works too, as in get and describe: a static pod "web" is "web-<node>".
    const std::string full = o.name + "-" + summary.value("node", nlohmann::json::object()).value("nodeName", "");
    bool exact = false, suffixed = false;
    for (const auto& p : summary.value("pods", nlohmann::json::array())) {
      const auto ref = p.value("podRef", nlohmann::json::object());
      if (ref.value("namespace", "") != o.ns) continue;
      exact = exact || ref.value("name", "") == o.name;
      suffixed = suffixed || ref.value("name", "") == full;
    }
    if (!exact && suffixed) o.name = full;
  }
  std::string table = FormatTopPods(summary, o);
  if (table.empty()) {
    if (!o.name.empty()) {
      std::cerr << "error: Metrics not available for pod " << o.ns << "/" << o.name << "\n";
      return 1;
    }
    std::cerr << (o.all_namespaces ? std::string("No resources found") : "No resources found in " + o.ns + " namespace.") << "\n";
    return 0;
  }
  std::cout << table;
  return 0;
}

}  // namespace crilet::cli
