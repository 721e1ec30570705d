// Listing sandboxes, containers and images straight from the CRI runtime.
#include "cli/cri_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/duration.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {
namespace {

std::string Label(const cri::Labels& l, const char* k) {
  auto it = l.find(k);
  return it == l.end() ? "" : it->second;
}

std::string Age(int64_t created_ns) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return FormatAge(std::chrono::duration_cast<std::chrono::nanoseconds>(now) - std::chrono::nanoseconds(created_ns));
}

}  // namespace

int CriCommand(int argc, char** argv) {
  CLI::App app{"crilet cri: list what the container runtime holds, through CRI (like crictl pods/ps/images)."};
  app.name("crilet cri");
  std::string endpoint = "unix:///run/containerd/containerd.sock";
  if (const char* e = std::getenv("CRILET_RUNTIME_ENDPOINT")) endpoint = e;
  std::string output = "table";
  bool all = false;
  app.add_option("--container-runtime-endpoint,-r", endpoint, "CRI socket [default: $CRILET_RUNTIME_ENDPOINT or containerd's]");
  app.add_option("-o,--output", output, "table or json")->check(CLI::IsMember({"table", "json"}));
  app.fallthrough();  // set before the subcommands, which inherit it: "crilet cri pods -o json"
  auto* pods = app.add_subcommand("pods", "pod sandboxes");
  auto* ps = app.add_subcommand("ps", "containers (running; -a for all)");
  ps->add_flag("-a,--all", all, "include exited containers");
  auto* images = app.add_subcommand("images", "images");
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  cri::GrpcRuntimeOptions o;
  o.endpoint = endpoint;
  o.request_timeout = std::chrono::seconds(10);
  cri::GrpcRuntime runtime(o);
  nlohmann::json out = nlohmann::json::array();
  Status s;
  if (pods->parsed()) {
    std::vector<cri::Sandbox> list;
    s = runtime.ListPodSandbox({}, &list);
    if (s.ok() && output == "table") std::printf("%-14s %-8s %-10s %-40s %-12s %s\n", "POD ID", "AGE", "STATE", "NAME", "NAMESPACE", "ATTEMPT");
    for (const auto& sb : list) {
      std::string state = sb.state == cri::SandboxState::kReady ? "Ready" : "NotReady";
      if (output == "table") {
        std::printf("%-14.13s %-8s %-10s %-40s %-12s %u\n", sb.id.c_str(), Age(sb.created_at).c_str(), state.c_str(),
                    sb.metadata.name.c_str(), sb.metadata.namespace_.c_str(), sb.metadata.attempt);
      }
      out.push_back({{"id", sb.id}, {"name", sb.metadata.name}, {"namespace", sb.metadata.namespace_},
                     {"uid", sb.metadata.uid}, {"attempt", sb.metadata.attempt}, {"state", state},
                     {"createdAt", sb.created_at}, {"labels", sb.labels}, {"annotations", sb.annotations}});
    }
  } else if (ps->parsed()) {
    std::vector<cri::Container> list;
    cri::ContainerFilter f;
    if (!all) f.state = cri::ContainerState::kRunning;
    s = runtime.ListContainers(f, &list);
    if (s.ok() && output == "table") std::printf("%-14s %-8s %-18s %-20s %-8s %-14s %s\n", "CONTAINER", "AGE", "STATE", "NAME", "ATTEMPT", "POD ID", "POD");
    for (const auto& c : list) {
      if (output == "table") {
        std::printf("%-14.13s %-8s %-18s %-20s %-8u %-14.13s %s\n", c.id.c_str(), Age(c.created_at).c_str(),
                    cri::ContainerStateName(c.state), c.name.c_str(), c.attempt, c.sandbox_id.c_str(),
                    Label(c.labels, "io.kubernetes.pod.name").c_str());
      }
      out.push_back({{"id", c.id}, {"podSandboxId", c.sandbox_id}, {"name", c.name}, {"attempt", c.attempt},
                     {"image", c.image}, {"imageRef", c.image_ref}, {"state", cri::ContainerStateName(c.state)},
                     {"createdAt", c.created_at}, {"labels", c.labels}, {"annotations", c.annotations}});
    }
  } else if (images->parsed()) {
    std::vector<cri::Image> list;
    s = runtime.ListImages(&list);
    for (const auto& i : list) {
      if (output == "table") {
        for (const auto& tag : i.repo_tags) std::printf("%-50s %.19s %10llu\n", tag.c_str(), i.id.c_str(), static_cast<unsigned long long>(i.size));
      }
      out.push_back({{"id", i.id}, {"repoTags", i.repo_tags}, {"repoDigests", i.repo_digests}, {"size", i.size}});
    }
  }
  if (!s.ok()) {
    std::cerr << "crilet cri: cannot reach container runtime at " << endpoint << ": " << s.message() << "\n";
    return 1;
  }
  if (output == "json") std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace crilet::cli
