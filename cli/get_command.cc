// crilet get pods (and all, -w), configmaps, secrets, pvc and events.
#include "cli/get_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <optional>

#include "cli/event_list.h"
#include "cli/get_watch.h"
#include "cli/jsonpath.h"
#include "cli/object_tables.h"
#include "cli/pod_lookup.h"
#include "cli/pod_table.h"
#include "cli/selectors.h"
#include "cli/status_client.h"
#include "cli/status_lookup.h"
#include "common/json_yaml.h"

namespace crilet::cli {
namespace {

// What kubectl get's selection and output flags asked for.
struct GetFlags {
  std::string ns = "default";
  std::string output;  // "", wide, json, yaml, name, jsonpath, custom-columns
  JsonPath jsonpath;   // -o jsonpath=TEMPLATE
  std::vector<std::pair<std::string, JsonPath>> columns;  // -o custom-columns=HEADER:FIELD,...
  std::optional<JsonPath> sort_by;
  LabelSelector labels;
  FieldSelector fields;
  TableOptions table;
  bool watch = false;         // -w: list, then print each change
  bool watch_only = false;    // --watch-only: print the changes only
  bool watch_events = false;  // --output-watch-events
};

bool Selected(const nlohmann::json& item, const GetFlags& f) {
  const auto meta = item.value("metadata", nlohmann::json::object());
  if (!f.table.all_namespaces && meta.value("namespace", "default") != f.ns) return false;
  return MatchesLabels(f.labels, meta.value("labels", std::map<std::string, std::string>{})) && MatchesFields(f.fields, item);
}

// -o jsonpath and -o custom-columns; false when the output is another format.
bool PrintTemplate(const nlohmann::json& list, const GetFlags& f) {
  if (f.output == "jsonpath") {
    std::cout << f.jsonpath.Execute(list);
    return true;
  }
  if (f.output != "custom-columns") return false;
  std::vector<std::vector<std::string>> cells(1);
  for (const auto& [header, path] : f.columns) cells[0].push_back(header);
  for (const auto& item : list.value("items", nlohmann::json::array())) {
    std::vector<std::string> line;
    for (const auto& [header, path] : f.columns) {
      std::string cell;
      for (const auto& v : path.Values(item)) cell += (cell.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
      line.push_back(cell.empty() ? "<none>" : cell);
    }
    cells.push_back(std::move(line));
  }
  std::cout << FormatColumns(std::move(cells), f.table.headers);
  return true;
}

// --sort-by: items ordered by the first value the field selects (numbers by value, the rest as text; items
// without one first), stable as kubectl's.
void SortItems(nlohmann::json* items, const GetFlags& f) {
  if (!f.sort_by || !items->is_array()) return;
  auto key = [&](const nlohmann::json& item) {
    auto v = f.sort_by->Values(item);
    return v.empty() ? nlohmann::json() : v[0];
  };
  std::vector<nlohmann::json> v(items->begin(), items->end());
  std::stable_sort(v.begin(), v.end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
    nlohmann::json x = key(a), y = key(b);
    if (x.is_null() || y.is_null()) return x.is_null() && !y.is_null();
    if (x.is_number() && y.is_number()) return x.get<double>() < y.get<double>();
    return (x.is_string() ? x.get<std::string>() : x.dump()) < (y.is_string() ? y.get<std::string>() : y.dump());
  });
  *items = v;
}

// -o's value: a format name, or jsonpath=/custom-columns= with their text parsed into `f`.
Status ParseOutput(GetFlags* f) {
  const std::string o = f->output;
  auto value_of = [&](const std::string& prefix) { return o.substr(prefix.size()); };
  if (o.rfind("jsonpath=", 0) == 0) {
    f->output = "jsonpath";
    Status s = JsonPath::Parse(value_of("jsonpath="), &f->jsonpath);
    return s.ok() ? s : Status::InvalidArgument("error parsing jsonpath " + value_of("jsonpath=") + ", " + s.message());
  }
  if (o.rfind("custom-columns=", 0) == 0) {
    f->output = "custom-columns";
    std::string spec = value_of("custom-columns=");
    size_t start = 0;
    while (start <= spec.size()) {
      size_t comma = spec.find(',', start);
      std::string col = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      size_t colon = col.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Status::InvalidArgument("unexpected custom-columns spec: " + col + ", expected <header>:<json-path-expr>");
      }
      JsonPath path;
      if (Status s = ParseFieldSpec(col.substr(colon + 1), &path); !s.ok()) return s;
      f->columns.emplace_back(col.substr(0, colon), std::move(path));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return Status::Ok();
  }
  if (o.empty() || o == "wide" || o == "name" || o == "json" || o == "yaml") return Status::Ok();
  return Status::InvalidArgument("unable to match a printer suitable for the output format \"" + o +
                                 "\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml");
}

// Nothing to show: kubectl's words, on stderr, exit 0.
void NoResources(const GetFlags& f) {
  std::cerr << (f.table.all_namespaces ? std::string("No resources found") : "No resources found in " + f.ns + " namespace.")
            << "\n";
}

// -o name: kind/name lines.
void PrintNames(const std::string& kind, const nlohmann::json& items) {
  for (const auto& item : items) std::cout << kind << "/" << item.value("metadata", nlohmann::json::object()).value("name", "") << "\n";
}

// configmaps, secrets, pvc: from /configmaps, /secrets, /pvc (which never carry secret values).
int GetObjects(const std::string& resource, const std::string& name, const GetFlags& f, const StatusSource& source) {
  const std::string& ns = f.ns;
  const std::string& output = f.output;
  nlohmann::json list;
  if (Status s = source.GetJson("/" + resource, &list); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : list.value("items", nlohmann::json::array())) {
    const auto meta = item.value("metadata", nlohmann::json::object());
    if (!Selected(item, f)) continue;
    if (!name.empty() && meta.value("name", "") != name) continue;
    items.push_back(item);
  }
  const std::string kind = resource == "pvc" ? "persistentvolumeclaims" : resource;
  if (!name.empty() && items.empty()) {
    std::cerr << "Error from server (NotFound): " << kind << " \"" << name << "\" not found\n";
    return 1;
  }
  SortItems(&items, f);
  nlohmann::json shown = name.empty() ? nlohmann::json(list) : items[0];
  if (name.empty()) shown["items"] = items;
  const std::string singular = resource == "pvc" ? "persistentvolumeclaim" : resource.substr(0, resource.size() - 1);
  if (PrintTemplate(name.empty() ? shown : nlohmann::json{{"items", items}}, f)) {
    return 0;
  } else if (output == "json") {
    std::cout << shown.dump(4) << "\n";
  } else if (output == "yaml") {
    std::cout << JsonToYaml(shown);
  } else if (items.empty()) {
    NoResources(f);
  } else if (output == "name") {
    PrintNames(singular, items);
  } else {
    std::cout << FormatObjectTable(resource, {{"items", items}}, ns, f.table, std::chrono::system_clock::now());
  }
  return 0;
}

// events: from /events, of one namespace (or -A), or of one pod with --for pod/NAME.
int GetEvents(const GetFlags& f, const std::string& for_what, const StatusSource& source) {
  std::string pod_name;
  if (!for_what.empty()) {
    const std::string prefix = "pod/";
    if (for_what.rfind(prefix, 0) != 0) {
      std::cerr << "error: --for: only pod/NAME is supported, not " << for_what << "\n";
      return 1;
    }
    nlohmann::json pod;
    if (Status s = FindPod(source, f.ns, for_what.substr(prefix.size()), "", &pod); !s.ok()) {
      std::cerr << "Error: " << s.message() << "\n";
      return 1;
    }
    pod_name = pod["metadata"].value("name", "");
  }
  nlohmann::json events;
  if (Status s = source.GetJson("/events", &events); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  if (f.output == "json" || f.output == "yaml") {
    std::cout << (f.output == "json" ? events.dump(4) + "\n" : JsonToYaml(events));
    return 0;
  }
  std::string table = FormatEventList(events, f.ns, pod_name, f.table, std::chrono::system_clock::now());
  if (table.empty()) NoResources(f);
  std::cout << table;
  return 0;
}

// -w / --watch-only on pods: `pod` is the one NAME resolved to ({} for the list).
int WatchPodList(const GetFlags& f, const nlohmann::json& pod, const StatusSource& source) {
  if (f.sort_by) {
    std::cerr << (f.watch ? "warning: --watch requested, --sort-by will be ignored for watch events received\n"
                          : "warning: --watch-only requested, --sort-by will be ignored\n");
  }
  WatchFormat format;
  format.output = f.output;
  format.table = f.table;
  format.jsonpath = &f.jsonpath;
  format.columns = &f.columns;
  format.watch_events = f.watch_events;
  WatchPrinter printer(format);
  WatchRequest request;
  request.source = &source;
  request.list_first = f.watch;
  const auto meta = pod.value("metadata", nlohmann::json::object());
  const std::string name = meta.value("name", ""), ns = meta.value("namespace", "default");
  request.selected = [&f, name, ns](const nlohmann::json& p) {
    if (name.empty()) return Selected(p, f);
    const auto m = p.value("metadata", nlohmann::json::object());
    return m.value("name", "") == name && m.value("namespace", "default") == ns;
  };
  return WatchPods(request, &printer);
}

}  // namespace

int GetCommand(int argc, char** argv) {
  CLI::App app{"crilet get: list the pods (or all: the pods as pod/NAME), configmaps, secrets, pvc or events of a running crilet, or watch the pods with -w (like kubectl get)."};
  app.name("crilet get");
  std::string what, name, selector, field_selector, for_what;
  StatusFlags daemon;
  GetFlags f;
  bool no_headers = false;
  app.add_option("resource", what, "pods, all (the pods, named pod/NAME), configmaps (cm), secrets, pvc or events (ev)")
      ->required()
      ->check(CLI::IsMember({"pods", "pod", "po", "all", "configmaps", "configmap", "cm", "secrets", "secret", "pvc",
                             "persistentvolumeclaims", "persistentvolumeclaim", "events", "event", "ev"}));
  app.add_flag("-A,--all-namespaces", f.table.all_namespaces, "list the objects of every namespace (NAMESPACE first)");
  app.add_option("name", name, "one pod (its full name, e.g. web-node1, or its manifest name) or object");
  app.add_option("-o,--output", f.output,
                 "wide, name, json, yaml, jsonpath=TEMPLATE (e.g. '{.items[*].metadata.name}') or "
                 "custom-columns=NAME:.metadata.name,PHASE:.status.phase");
  std::string sort_by;
  app.add_option("--sort-by", sort_by, "order the list by a field, e.g. .metadata.name or {.status.startTime}");
  app.add_option("-n,--namespace", f.ns, "namespace of NAME, or of the objects listed [default: default]");
  app.add_option("-l,--selector", selector, "label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a; joined by ','");
  app.add_option("--field-selector", field_selector,
                 "field selector: metadata.name, metadata.namespace, spec.nodeName, status.phase, ... with =, == or !=");
  app.add_flag("--no-headers", no_headers, "leave out the header row");
  app.add_option("--for", for_what, "events: only those of pod/NAME");
  app.add_flag("--show-labels", f.table.show_labels, "add a LABELS column");
  app.add_flag("-w,--watch", f.watch, "pods: after listing, print a row (or an object) each time a pod changes, until ^C");
  app.add_flag("--watch-only", f.watch_only, "pods: print the changes only, without the listing first");
  app.add_flag("--output-watch-events", f.watch_events,
               "with -w: an EVENT column (ADDED, MODIFIED, DELETED), or {type, object} documents with -o json|yaml");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  f.table.headers = !no_headers;
  if (Status s = ParseOutput(&f); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (!sort_by.empty()) {
    f.sort_by.emplace();
    if (Status s = ParseFieldSpec(sort_by, &*f.sort_by); !s.ok()) {
      std::cerr << "error: couldn't parse --sort-by " << sort_by << ": " << s.message() << "\n";
      return 1;
    }
  }
  f.table.wide = f.output == "wide";
  if (Status s = ParseLabelSelector(selector, &f.labels); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (Status s = ParseFieldSelector(field_selector, &f.fields); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (f.watch_events && !f.watch && !f.watch_only) {
    std::cerr << "error: --output-watch-events option can only be used with --watch or --watch-only\n";
    return 1;
  }
  const bool pods = ObjectResource(what).empty() && what != "events" && what != "event" && what != "ev";
  if ((f.watch || f.watch_only) && !pods) {
    std::cerr << "error: crilet get " << what << ": --watch is only supported for pods (and all)\n";
    return 1;
  }
  if (what == "all") f.table.name_prefix = "pod/";  // kubectl get all prints kind/name, its kinds being several
  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  if (what == "events" || what == "event" || what == "ev") return GetEvents(f, for_what, *source);
  if (std::string resource = ObjectResource(what); !resource.empty()) return GetObjects(resource, name, f, *source);
  nlohmann::json j;
  Status s = name.empty() ? source->GetJson("/pods", &j) : FindPod(*source, f.ns, name, "", &j);
  if (!s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  // An agent that cannot reach its runtime lists no pods, or stale ones: "No resources found" would be a lie.
  if (std::string why = AgentHealthProblem(*source); !why.empty()) {
    std::cerr << "Error: " << source->Name() << " cannot tell the pods' state: " << why << "\n";
    return 1;
  }
  if (f.watch || f.watch_only) return WatchPodList(f, name.empty() ? nlohmann::json::object() : j, *source);
  if (name.empty()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& p : j.value("items", nlohmann::json::array())) {
      if (Selected(p, f)) items.push_back(p);
    }
    SortItems(&items, f);
    j["items"] = items;
  }
  // get all lists what kubectl's "all" category holds locally: pods (crilet has no services, deployments, ...).
  if (what == "all" && name.empty()) j["kind"] = "List";
  const nlohmann::json list = name.empty() ? j : nlohmann::json{{"items", nlohmann::json::array({j})}};
  if (f.output == "jsonpath") {
    PrintTemplate(j, f);  // a single pod is the template's root, as kubectl's
  } else if (PrintTemplate(list, f)) {
  } else if (f.output == "json") {
    std::cout << j.dump(4) << "\n";
  } else if (f.output == "yaml") {
    std::cout << JsonToYaml(j);
  } else if (list["items"].empty()) {
    NoResources(f);
  } else if (f.output == "name") {
    PrintNames("pod", list["items"]);
  } else {
    std::cout << FormatPodTable(list, f.table, std::chrono::system_clock::now());
  }
  return 0;
}

}  // namespace crilet::cli
