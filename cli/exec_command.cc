// crilet exec: ExecSync with the command's output and exit code passed through.
#include "cli/exec_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/pod_lookup.h"
#include "cli/status_client.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {

int ExecCommand(int argc, char** argv) {
  CLI::App app{"crilet exec: run a command in a running container (CRI ExecSync; no TTY or stdin)."};
  app.name("crilet exec");
  std::string pod, container, ns = "default", server = DefaultServer();
  std::vector<std::string> command;
  int timeout = 0;
  app.add_option("pod", pod, "pod name")->required();
  app.add_option("command", command, "the command, after --")->required();
  app.add_option("-c,--container", container, "container name (needed when the pod has several)");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_option("--timeout", timeout, "seconds before the command is killed; 0 = none [default: 0]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  ContainerRef ref;
  if (Status s = FindContainer(server, ns, pod, container, &ref); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  if (ref.container_id.empty() || !ref.status["state"].contains("running")) {
    std::cerr << "Error: container \"" << ref.name << "\" in pod \"" << ref.pod["metadata"].value("name", pod)
              << "\" is not running\n";
    return 1;
  }
  nlohmann::json config;
  if (Status s = GetJson(server, "/configz", &config); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  cri::GrpcRuntimeOptions o;
  o.endpoint = config["kubeletconfig"].value("containerRuntimeEndpoint", "unix:///run/containerd/containerd.sock");
  o.request_timeout = std::chrono::hours(24);  // the command may run long; --timeout bounds it
  cri::GrpcRuntime runtime(o);
  cri::ExecResult r;
  Status s = runtime.ExecSync(ref.container_id, command, std::chrono::seconds(timeout), &r);
  if (!s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return s.IsDeadlineExceeded() ? 124 : 1;
  }
  std::cout << r.stdout_data << std::flush;
  std::cerr << r.stderr_data << std::flush;
  return r.exit_code;
}

}  // namespace crilet::cli
