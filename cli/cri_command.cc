// Listing sandboxes, containers and images straight from the CRI runtime.
#include "cli/cri_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>
#include <nlohmann/json.hpp>

#include "cli/crictl_format.h"
#include "cli/crictl_stats.h"
#include "common/json_yaml.h"
#include "common/cri_log.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {
namespace {

std::string Label(const cri::Labels& l, const char* k) {
  auto it = l.find(k);
  return it == l.end() ? "" : it->second;
}

// The table, -q ids or JSON of `crilet cri pods|ps|images`.
void Print(const std::vector<std::vector<std::string>>& table, const std::vector<std::string>& ids,
           const nlohmann::json& out, const std::string& output, bool quiet) {
  if (output == "json") {
    std::cout << out.dump(2) << "\n";
  } else if (output == "yaml") {
    std::cout << JsonToYaml(out);
  } else if (quiet) {
    for (const auto& id : ids) std::cout << id << "\n";
  } else {
    std::cout << CrictlColumns(table);
  }
}

bool NameMatches(const std::string& pattern, const std::string& name) {
  if (pattern.empty()) return true;
  try {
    return std::regex_search(name, std::regex(pattern));
  } catch (const std::regex_error&) {
    return name.find(pattern) != std::string::npos;
  }
}

std::string StateWord(cri::ContainerState s) {
  switch (s) {
    case cri::ContainerState::kCreated: return "Created";
    case cri::ContainerState::kRunning: return "Running";
    case cri::ContainerState::kExited: return "Exited";
    default: return "Unknown";
  }
}

}  // namespace

int CriCommand(int argc, char** argv) {
  // crictl's answer to a verb it does not know, naming the ones this command has.
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-r" || a == "--container-runtime-endpoint" || a == "-o" || a == "--output") {
      ++i;  // the option's value
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    const auto& verbs = CriVerbs();
    if (std::find(verbs.begin(), verbs.end(), a) == verbs.end()) {
      std::string known;
      for (const auto& v : verbs) known += (known.empty() ? "" : ", ") + v;
      std::cerr << "crilet cri: unknown command \"" << a << "\"; the known ones: " << known << "\n";
      return 2;
    }
    break;
  }
  CLI::App app{"crilet cri: what the container runtime holds, through CRI, in crictl's words (pods, ps, images, "
               "inspect, inspectp, exec, logs, stop, rm, stopp, rmp, pull, stats, info, version)."};
  app.name("crilet cri");
  std::string endpoint = "unix:///run/containerd/containerd.sock";
  if (const char* e = std::getenv("CRILET_RUNTIME_ENDPOINT")) endpoint = e;
  std::string output = "table", name, pod, ns, image;
  bool all = false, quiet = false;
  int64_t tail = -1;
  std::vector<std::string> ids, cmd;
  app.add_option("--container-runtime-endpoint,-r", endpoint, "CRI socket [default: $CRILET_RUNTIME_ENDPOINT or containerd's]");
  app.add_option("-o,--output", output, "table, json or yaml")->check(CLI::IsMember({"table", "json", "yaml"}));
  app.fallthrough();  // set before the subcommands, which inherit it: "crilet cri pods -o json"
  auto* pods = app.add_subcommand("pods", "pod sandboxes: POD ID CREATED STATE NAME NAMESPACE ATTEMPT");
  pods->add_flag("-q,--quiet", quiet, "only IDs");
  pods->add_option("--name", name, "only sandboxes whose name matches this regular expression");
  pods->add_option("--namespace", ns, "only sandboxes of this namespace");
  auto* ps = app.add_subcommand("ps", "containers (running; -a for all): CONTAINER IMAGE CREATED STATE NAME ATTEMPT POD ID POD");
  ps->add_flag("-a,--all", all, "include exited and created containers");
  ps->add_flag("-q,--quiet", quiet, "only IDs");
  ps->add_option("--name", name, "only containers whose name matches this regular expression");
  ps->add_option("-p,--pod", pod, "only containers of the sandbox with this ID (or ID prefix)");
  auto* images = app.add_subcommand("images", "images: IMAGE TAG IMAGE ID SIZE");
  images->add_flag("-q,--quiet", quiet, "only IDs");
  auto* inspect = app.add_subcommand("inspect", "a container's status as JSON");
  inspect->add_option("id", ids, "container ID")->required();
  auto* inspectp = app.add_subcommand("inspectp", "a sandbox's status as JSON");
  inspectp->add_option("id", ids, "sandbox ID")->required();
  auto* exec = app.add_subcommand("exec", "run a command in a container (ExecSync), exit code passed through");
  std::string one_id;
  exec->add_option("id", one_id, "container ID")->required();
  exec->add_option("cmd", cmd, "command")->required();
  auto* logs = app.add_subcommand("logs", "a container's log, from its CRI log file");
  logs->add_option("id", one_id, "container ID")->required();
  logs->add_option("--tail", tail, "only the last N lines");
  auto* stop = app.add_subcommand("stop", "stop containers");
  stop->add_option("id", ids, "container IDs")->required();
  auto* rm = app.add_subcommand("rm", "remove containers");
  rm->add_option("id", ids, "container IDs")->required();
  auto* stopp = app.add_subcommand("stopp", "stop sandboxes");
  stopp->add_option("id", ids, "sandbox IDs")->required();
  auto* rmp = app.add_subcommand("rmp", "remove sandboxes");
  rmp->add_option("id", ids, "sandbox IDs")->required();
  auto* pull = app.add_subcommand("pull", "pull an image");
  pull->add_option("image", image, "image")->required();
  auto* stats = app.add_subcommand("stats", "resource usage of containers (running; -a for all): CONTAINER NAME CPU % MEM DISK INODES");
  std::vector<std::string> stats_labels;
  int sample_seconds = 1;
  stats->add_flag("-a,--all", all, "include containers that are not running");
  std::string stats_id;
  stats->add_option("--id", one_id, "only the container with this ID (or ID prefix)");
  stats->add_option("id", stats_id, "the same as --id");
  stats->add_option("-p,--pod", pod, "only containers of the sandbox with this ID (or ID prefix)");
  stats->add_option("--label", stats_labels, "only containers with this key=value label (repeatable)");
  stats->add_option("-s,--seconds", sample_seconds, "sample duration for CPU usage in seconds")->check(CLI::Range(1, 3600));
  auto* info = app.add_subcommand("info", "the runtime's status conditions and configuration (CRI Status, verbose), as JSON");
  info->add_flag("-q,--quiet", quiet, "only the status conditions, not the runtime's information");
  auto* version = app.add_subcommand("version", "the runtime's name and versions");
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  cri::GrpcRuntimeOptions o;
  o.endpoint = endpoint;
  o.request_timeout = pull->parsed() ? std::chrono::seconds(600) : std::chrono::seconds(10);
  cri::GrpcRuntime runtime(o);
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> listed;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  auto ago = [&](int64_t ns) {
    return CrictlAgo(std::chrono::duration_cast<std::chrono::nanoseconds>(now) - std::chrono::nanoseconds(ns));
  };
  Status s;
  if (pods->parsed()) {
    std::vector<cri::Sandbox> list;
    s = runtime.ListPodSandbox({}, &list);
    table.push_back({"POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"});
    for (const auto& sb : list) {
      if (!NameMatches(name, sb.metadata.name) || (!ns.empty() && sb.metadata.namespace_ != ns)) continue;
      std::string state = sb.state == cri::SandboxState::kReady ? "Ready" : "NotReady";
      table.push_back({sb.id.substr(0, 13), ago(sb.created_at), state, sb.metadata.name, sb.metadata.namespace_,
                       std::to_string(sb.metadata.attempt), "(default)"});
      listed.push_back(sb.id);
      out.push_back({{"id", sb.id}, {"name", sb.metadata.name}, {"namespace", sb.metadata.namespace_},
                     {"uid", sb.metadata.uid}, {"attempt", sb.metadata.attempt}, {"state", state},
                     {"createdAt", sb.created_at}, {"labels", sb.labels}, {"annotations", sb.annotations}});
    }
  } else if (ps->parsed()) {
    std::vector<cri::Container> list;
    cri::ContainerFilter f;
    if (!all) f.state = cri::ContainerState::kRunning;
    s = runtime.ListContainers(f, &list);
    table.push_back({"CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"});
    for (const auto& c : list) {
      if (!NameMatches(name, c.name) || (!pod.empty() && c.sandbox_id.rfind(pod, 0) != 0)) continue;
      std::string img = c.image.rfind("sha256:", 0) == 0 ? ShortImageId(c.image) : c.image;
      table.push_back({c.id.substr(0, 13), img, ago(c.created_at), StateWord(c.state), c.name,
                       std::to_string(c.attempt), c.sandbox_id.substr(0, 13), Label(c.labels, "io.kubernetes.pod.name")});
      listed.push_back(c.id);
      out.push_back({{"id", c.id}, {"podSandboxId", c.sandbox_id}, {"name", c.name}, {"attempt", c.attempt},
                     {"image", c.image}, {"imageRef", c.image_ref}, {"state", cri::ContainerStateName(c.state)},
                     {"createdAt", c.created_at}, {"labels", c.labels}, {"annotations", c.annotations}});
    }
  } else if (images->parsed()) {
    std::vector<cri::Image> list;
    s = runtime.ListImages(&list);
    table.push_back({"IMAGE", "TAG", "IMAGE ID", "SIZE"});
    for (const auto& i : list) {
      std::vector<std::string> tags = i.repo_tags;
      if (tags.empty()) tags.push_back("<none>:<none>");
      for (const auto& tag : tags) {
        auto [repo, t] = tag == "<none>:<none>" ? std::pair<std::string, std::string>{"<none>", "<none>"} : SplitRepoTag(tag);
        table.push_back({repo, t, ShortImageId(i.id), HumanSize(i.size)});
      }
      listed.push_back(i.id);
      out.push_back({{"id", i.id}, {"repoTags", i.repo_tags}, {"repoDigests", i.repo_digests}, {"size", i.size}});
    }
  } else if (inspect->parsed()) {
    for (const auto& id : ids) {
      cri::ContainerStatus st;
      if (s = runtime.ContainerStatus(id, true, &st); !s.ok()) break;
      nlohmann::json mounts = nlohmann::json::array();
      for (const auto& m : st.mounts) mounts.push_back({{"containerPath", m.container_path}, {"hostPath", m.host_path}, {"readonly", m.readonly}});
      std::cout << nlohmann::json{{"status", {{"id", st.id}, {"metadata", {{"name", st.name}, {"attempt", st.attempt}}},
                                              {"state", cri::ContainerStateName(st.state)}, {"createdAt", st.created_at},
                                              {"startedAt", st.started_at}, {"finishedAt", st.finished_at},
                                              {"exitCode", st.exit_code}, {"image", {{"image", st.image}}},
                                              {"imageRef", st.image_ref}, {"reason", st.reason}, {"message", st.message},
                                              {"labels", st.labels}, {"annotations", st.annotations},
                                              {"mounts", mounts}, {"logPath", st.log_path}}},
                                   {"info", {{"pid", st.pid}}}}
                       .dump(2)
                << "\n";
    }
  } else if (inspectp->parsed()) {
    for (const auto& id : ids) {
      cri::SandboxStatus st;
      if (s = runtime.PodSandboxStatus(id, &st); !s.ok()) break;
      nlohmann::json ips = nlohmann::json::array();
      for (const auto& ip : st.additional_ips) ips.push_back({{"ip", ip}});
      std::cout << nlohmann::json{{"status", {{"id", st.id},
                                              {"metadata", {{"name", st.metadata.name}, {"namespace", st.metadata.namespace_},
                                                            {"uid", st.metadata.uid}, {"attempt", st.metadata.attempt}}},
                                              {"state", st.state == cri::SandboxState::kReady ? "SANDBOX_READY" : "SANDBOX_NOTREADY"},
                                              {"createdAt", st.created_at},
                                              {"network", {{"ip", st.ip}, {"additionalIps", ips}}},
                                              {"labels", st.labels}, {"annotations", st.annotations}}}}
                       .dump(2)
                << "\n";
    }
  } else if (exec->parsed()) {
    cri::ExecResult r;
    if (s = runtime.ExecSync(one_id, cmd, std::chrono::seconds(0), &r); s.ok()) {
      std::cout << r.stdout_data << std::flush;
      std::cerr << r.stderr_data << std::flush;
      return r.exit_code;
    }
  } else if (logs->parsed()) {
    cri::ContainerStatus st;
    if (s = runtime.ContainerStatus(one_id, false, &st); s.ok()) {
      std::ifstream in(st.log_path, std::ios::binary);
      if (!in) {
        std::cerr << "crilet cri: cannot open " << st.log_path << "\n";
        return 1;
      }
      std::vector<std::string> lines;
      CriLogReader reader([&](std::string_view, std::string_view, const std::string& msg) { lines.push_back(msg); });
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      reader.Feed(chunk);
      size_t from = tail >= 0 && static_cast<size_t>(tail) < lines.size() ? lines.size() - static_cast<size_t>(tail) : 0;
      for (size_t i = from; i < lines.size(); ++i) std::cout << lines[i] << "\n";
    }
  } else if (stop->parsed() || rm->parsed() || stopp->parsed() || rmp->parsed()) {
    for (const auto& id : ids) {
      s = stop->parsed() ? runtime.StopContainer(id, 10) : rm->parsed() ? runtime.RemoveContainer(id)
          : stopp->parsed() ? runtime.StopPodSandbox(id) : runtime.RemovePodSandbox(id);
      if (!s.ok()) break;
      // crictl's words: the ID, then "Stopped sandbox ID" / "Removed sandbox ID" for sandboxes.
      if (stop->parsed() || rm->parsed()) std::cout << id << "\n";
      else std::cout << (stopp->parsed() ? "Stopped sandbox " : "Removed sandbox ") << id << "\n";
    }
  } else if (pull->parsed()) {
    std::string ref;
    if (s = runtime.PullImage(image, nullptr, nullptr, &ref); s.ok()) std::cout << "Image is up to date for " << ref << "\n";
  } else if (stats->parsed()) {
    cri::ContainerStatsFilter filter;
    filter.id = one_id.empty() ? stats_id : one_id;
    filter.sandbox_id = pod;
    for (const auto& l : stats_labels) {
      size_t eq = l.find('=');
      if (eq == std::string::npos) {
        std::cerr << "crilet cri stats: incorrectly specified label: " << l << "\n";
        return 1;
      }
      filter.label_selector[l.substr(0, eq)] = l.substr(eq + 1);
    }
    std::vector<cri::ContainerStats> first, second;
    s = runtime.ListContainerStats(filter, &first);
    if (s.ok() && output == "json") {
      std::cout << CrictlStatsJson(first).dump(2) << "\n";
    } else if (s.ok() && output == "yaml") {
      std::cout << JsonToYaml(nlohmann::json::parse(CrictlStatsJson(first).dump()));
    } else if (s.ok()) {
      // crictl's CPU %: the CPU time used between two samples, --seconds apart.
      std::this_thread::sleep_for(std::chrono::seconds(sample_seconds));
      std::string text;
      if (s = runtime.ListContainerStats(filter, &second); s.ok()) s = CrictlStatsTable(first, second, all, &text);
      std::cout << text;
    }
  } else if (info->parsed()) {
    cri::RuntimeStatusInfo st;
    if (s = runtime.RuntimeStatus(!quiet, &st); s.ok()) {
      const nlohmann::json j = CrictlInfoJson(st);
      std::cout << (output == "yaml" ? JsonToYaml(j) : j.dump(2) + "\n");
    }
  } else if (version->parsed()) {
    cri::VersionInfo v;
    if (s = runtime.Version(&v); s.ok()) {
      std::cout << "Version:  " << v.version << "\nRuntimeName:  " << v.runtime_name << "\nRuntimeVersion:  "
                << v.runtime_version << "\nRuntimeApiVersion:  " << v.runtime_api_version << "\n";
    }
  }
  if (!s.ok()) {
    if (s.IsUnavailable() || s.message().find("permission denied") != std::string::npos) {
      std::cerr << "crilet cri: cannot reach container runtime at " << endpoint << ": " << s.message() << "\n";
    } else {
      std::cerr << "crilet cri: " << s.message() << "\n";
    }
    return 1;
  }
  if (pods->parsed() || ps->parsed() || images->parsed()) Print(table, listed, out, output, quiet);
  return 0;
}

}  // namespace crilet::cli
