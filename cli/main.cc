// Subcommand dispatch and the top-level help.
#include "cli/main.h"

#include <iostream>
#include <string>
#include <vector>

#include "cli/apply_command.h"
#include "cli/completion.h"
#include "cli/cri_command.h"
#include "cli/delete_command.h"
#include "cli/describe_command.h"
#include "cli/attach_command.h"
#include "cli/cp_command.h"
#include "cli/debug_command.h"
#include "cli/exec_command.h"
#include "cli/port_forward_command.h"
#include "cli/logs_command.h"
#include "cli/get_command.h"
#include "cli/run_command.h"
#include "cli/run_pod.h"
#include "cli/run_pod_command.h"
#include "cli/top_command.h"
#include "cli/validate_command.h"
#include "cli/wait_command.h"

namespace crilet::cli {
namespace {

constexpr const char* kUsage =
    "crilet: a kubelet for static pods, driving a CRI runtime (containerd).\n"
    "\n"
    "Usage: crilet COMMAND [FLAGS]\n"
    "\n"
    "Commands:\n"
    "  run         run the node agent (kubelet flags; see crilet run --help)\n"
    "  run NAME --image IMAGE [-- ARGS]   create a pod, as kubectl run (chosen when --image is given)\n"
    "  apply       apply -f FILE|DIR|URL|-: validate and write one file per object into the manifest directory\n"
    "  delete      delete -f FILE | delete pod|configmap|secret|pvc|pv NAME: remove what apply wrote, wait for pods\n"
    "  wait        wait --for=condition=Ready|delete|jsonpath=... pod/NAME\n"
    "  get         get pods|all|configmaps|secrets|pvc|events: kubectl's tables, -l, --field-selector, -o ..., -w\n"
    "  describe    describe pod NAME: spec, states, conditions, probes, events\n"
    "  top         top pods [--containers] [-n NS|-A] [--sort-by cpu|memory], top node: CPU and memory in use\n"
    "  logs        print a container's log: logs POD [CONTAINER] (-f, -p, --tail, --since, --all-containers...)\n"
    "  exec        run a command in a container: crilet exec POD [-c C] [-i] [-t] -- CMD...\n"
    "  attach      attach to a container's main process: crilet attach POD [-c C] [-i] [-t]\n"
    "  cp          copy files to and from containers: crilet cp SRC [NS/]POD:DEST | [NS/]POD:SRC DEST\n"
    "  debug       a temporary container in a pod: crilet debug POD --image I [--target C] [-it] [-- CMD]\n"
    "  port-forward  forward local ports to a pod: crilet port-forward POD [LOCAL:]REMOTE... [--address A]\n"
    "  validate    check manifests and print them with defaults applied\n"
    "  cri         crictl's verbs through CRI: pods, ps, images, inspect, inspectp, exec, logs, stats, info, pull...\n"
    "  completion  completion bash|zsh: a shell completion script\n"
    "  version     print the version\n"
    "\n"
    "Run 'crilet COMMAND --help' for a command's flags.\n";

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::cout << "crilet " << CRILET_VERSION_STRING << " (CRI runtime.v1)\n";
    return 0;
  }
  // Each subcommand parses its own flags; argv[1] becomes its program name.
  if (cmd == "run") {
    // kubectl's run (a pod) when --image is given; else the daemon, whose flags are kubelet's.
    if (IsKubectlRun(std::vector<std::string>(argv + 2, argv + argc))) return RunPodCommand(argc - 1, argv + 1);
    return RunCommand(argc - 1, argv + 1);
  }
  if (cmd == "apply") return ApplyCommand(argc - 1, argv + 1);
  if (cmd == "delete") return DeleteCommand(argc - 1, argv + 1);
  if (cmd == "wait") return WaitCommand(argc - 1, argv + 1);
  if (cmd == "validate") return ValidateCommand(argc - 1, argv + 1);
  if (cmd == "cri") return CriCommand(argc - 1, argv + 1);
  if (cmd == "get") return GetCommand(argc - 1, argv + 1);
  if (cmd == "describe") return DescribeCommand(argc - 1, argv + 1);
  if (cmd == "top") return TopCommand(argc - 1, argv + 1);
  if (cmd == "logs") return LogsCommand(argc - 1, argv + 1);
  if (cmd == "exec") return ExecCommand(argc - 1, argv + 1);
  if (cmd == "attach") return AttachCommand(argc - 1, argv + 1);
  if (cmd == "cp") return CpCommand(argc - 1, argv + 1);
  if (cmd == "debug") return DebugCommand(argc - 1, argv + 1);
  if (cmd == "port-forward") return PortForwardCommand(argc - 1, argv + 1);
  if (cmd == "completion") return CompletionCommand(argc - 1, argv + 1);
  std::cerr << "crilet: unknown command \"" << cmd << "\"\n\n" << kUsage;
  return 2;
}

}  // namespace crilet::cli
