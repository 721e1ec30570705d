// crilet debug: creates a container in the pod's sandbox (its network; the target's processes with --target),
// attaches or waits for it, and removes it when it ends. The agent never sees it (cli/ephemeral.h).
#include "cli/debug_command.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <random>

#include "agent/pod_cgroups.h"
#include "cli/cli_runtime.h"
#include "cli/ephemeral.h"
#include "cli/interactive.h"
#include "cli/status_lookup.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "common/cri_log.h"

namespace crilet::cli {
namespace {

// k8s.io/apimachinery's rand.String alphabet: no vowels, no confusable characters.
std::string RandomSuffix() {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 5; ++i) s.push_back(kAlphabet[rd() % (sizeof kAlphabet - 1)]);
  return s;
}

// The pod's cgroup, as the agent made it for the sandbox (agent/pod_cgroup_manager), so the debug
// container's usage counts against the pod; "" (the runtime's default) when the agent made none.
std::string PodCgroupParent(const nlohmann::json& kubelet_config, const nlohmann::json& pod) {
  if (!kubelet_config.value("cgroupsPerQOS", true)) return "";
  auto driver = agent::ParseCgroupDriver(kubelet_config.value("cgroupDriver", "cgroupfs"));
  if (!driver) return "";
  std::string root = kubelet_config.value("cgroupRoot", "");
  std::string parent = agent::CgroupLiteralName(
      agent::PodCgroupName(agent::QosCgroups(root.empty() ? "/" : root), pod["status"].value("qosClass", "BestEffort"),
                           pod["metadata"].value("uid", "")),
      *driver);
  std::error_code ec;
  if (*driver == agent::CgroupDriver::kCgroupfs && !std::filesystem::exists("/sys/fs/cgroup/memory" + parent, ec)) return "";
  return parent;
}

int Fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

// Prints a CRI log file's stdout and stderr lines to ours.
void PrintLog(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  CriLogReader reader([](std::string_view, std::string_view stream, const std::string& message) {
    (stream == "stderr" ? std::cerr : std::cout) << message << "\n";
  });
  char buf[64 * 1024];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) reader.Feed(std::string_view(buf, static_cast<size_t>(n)));
  close(fd);
  std::cout << std::flush;
}

}  // namespace

int DebugCommand(int argc, char** argv) {
  CLI::App app{"crilet debug: run a temporary debug container in a running pod, as kubectl debug.\n"
               "It joins the pod's network, and with --target the processes of that container. It is never\n"
               "restarted, shows in describe as an ephemeral container while it runs, and is removed when it\n"
               "ends. Without -i crilet waits for it and prints its output; Ctrl-C removes it early."};
  app.name("crilet debug");
  std::string pod, image, target, name, ns = "default";
  StatusFlags daemon;
  std::vector<std::string> command;
  bool stdin_flag = false, tty_flag = false, quiet = false;
  app.add_option("pod", pod, "pod name")->required();
  app.add_option("command", command, "the command, after -- (default: the image's)");
  app.add_option("--image", image, "the debug container's image")->required();
  app.add_option("--target", target, "share this container's process namespace");
  app.add_option("-c,--container", name, "the debug container's name [default: debugger-XXXXX]");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_flag("-i,--stdin", stdin_flag, "keep stdin open and attach to it");
  app.add_flag("-t,--tty", tty_flag, "give the debug container a terminal (with -i)");
  app.add_flag("-q,--quiet", quiet, "print only what the container prints");
  AddStatusFlags(&app, &daemon);
  BlockSignals(SignalSet({SIGWINCH}));  // before any thread starts (see signals.h)
  BlockSignals(StopSignalSet());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) return Fail(s.message());
  nlohmann::json found;
  if (Status s = FindPod(*source, ns, pod, "", &found); !s.ok()) return Fail(s.message());
  const std::string pod_name = found["metadata"].value("name", pod), uid = found["metadata"].value("uid", "");
  const std::string pod_ns = found["metadata"].value("namespace", ns);
  if (found["status"].value("phase", "") != "Running") {
    return Fail("pod " + pod_name + " is not running (" + found["status"].value("phase", "") + ")");
  }
  std::string target_id;
  if (!target.empty()) {
    ContainerRef ref;
    if (Status s = FindContainer(*source, ns, pod, target, &ref); !s.ok()) return Fail(s.message());
    if (ref.container_id.empty() || !ref.status["state"].contains("running")) return Fail("target container \"" + target + "\" is not running");
    target_id = ref.container_id;
  }
  if (name.empty()) {
    name = "debugger-" + RandomSuffix();
    if (!quiet) std::cerr << "Defaulting debug container name to " << name << ".\n";
  }
  nlohmann::json config;  // the daemon's /configz
  std::unique_ptr<cri::GrpcRuntime> runtime;
  if (Status s = RuntimeFromSource(*source, &runtime, &config); !s.ok()) return Fail(s.message());
  cri::Sandbox sandbox;
  if (Status s = ReadySandbox(runtime.get(), found, &sandbox); !s.ok()) return Fail(s.message());

  std::optional<cri::Image> present;
  if (Status s = runtime->ImageStatus(image, &present); !s.ok()) return Fail(s.message());
  std::string image_ref = present ? present->id : "";
  if (!present) {
    if (!quiet) std::cerr << "Pulling image " << image << "\n";
    if (Status s = runtime->PullImage(image, nullptr, nullptr, &image_ref); !s.ok()) return Fail(s.message());
  }

  cri::SandboxConfig sc;
  sc.metadata = sandbox.metadata;
  sc.labels = sandbox.labels;
  sc.annotations = sandbox.annotations;
  std::string logs_dir = config.value("podLogsDir", "/var/log/pods");
  sc.log_directory = logs_dir + "/" + pod_ns + "_" + pod_name + "_" + uid;
  sc.cgroup_parent = PodCgroupParent(config, found);
  cri::ContainerConfig cc;
  cc.name = name;
  cc.image = image_ref;
  cc.user_specified_image = image;
  cc.command = command;
  cc.log_path = name + "/0.log";
  cc.stdin = stdin_flag;
  cc.stdin_once = stdin_flag;
  cc.tty = stdin_flag && tty_flag && IsTerminal(STDIN_FILENO);
  cc.labels = {{kEphemeralForLabel, uid},
               {"io.kubernetes.container.name", name},
               {"io.kubernetes.pod.name", pod_name},
               {"io.kubernetes.pod.namespace", pod_ns}};
  if (!target.empty()) cc.labels[kDebugTargetLabel] = target;
  cc.annotations = {{kDebugImageAnnotation, image}};
  cc.security.namespaces.pid = target_id.empty() ? cri::NamespaceMode::kContainer : cri::NamespaceMode::kTarget;
  cc.security.namespaces.target_id = target_id;
  std::string id;
  if (Status s = runtime->CreateContainer(sandbox.id, cc, sc, &id); !s.ok()) return Fail(s.message());
  auto remove = [&] {
    runtime->StopContainer(id, 0);
    runtime->RemoveContainer(id);
    std::error_code ec;
    std::filesystem::remove_all(sc.log_directory + "/" + name, ec);
  };
  if (Status s = runtime->StartContainer(id); !s.ok()) {
    remove();
    return Fail(s.message());
  }
  SignalFd stop(StopSignalSet());
  int code = 0;
  if (stdin_flag) {
    std::string warning;
    RemoteCommandOptions opts = ChooseStreams(true, tty_flag, IsTerminal(STDIN_FILENO), &warning);
    if (!warning.empty() && !quiet) std::cerr << warning << "\n";
    if (opts.tty && !quiet) std::cerr << "If you don't see a command prompt, try pressing enter.\n";
    cri::StreamAttach req;
    req.container_id = id;
    req.tty = opts.tty;
    req.stdin = true;
    req.stdout = true;
    req.stderr = !opts.tty;
    std::string url;
    if (Status s = runtime->Attach(req, &url); !s.ok()) {
      remove();
      return Fail(s.message());
    }
    code = RunInteractive(url, opts, stop.fd());
  }
  // Wait for the end (at once after an attach: the process ends with its stdin), or for Ctrl-C.
  cri::ContainerStatus st;
  for (;;) {
    if (!runtime->ContainerStatus(id, false, &st).ok() || st.state == cri::ContainerState::kExited) break;
    pollfd p{stop.fd(), POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      if (!quiet) std::cerr << "Interrupted: removing the debug container " << name << "\n";
      code = 130;
      break;
    }
  }
  if (!stdin_flag && code == 0) {
    PrintLog(st.log_path);
    code = st.exit_code;
  } else if (st.state == cri::ContainerState::kExited && code == 0) {
    code = st.exit_code;
  }
  remove();
  return code;
}

}  // namespace crilet::cli
