// crilet port-forward: finds the pod's sandbox, asks CRI PortForward for a URL, and forwards until interrupted.
#include "cli/port_forward_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_runtime.h"
#include "cli/pod_lookup.h"
#include "cli/port_forward.h"
#include "cli/status_client.h"

namespace crilet::cli {

int PortForwardCommand(int argc, char** argv) {
  CLI::App app{"crilet port-forward: forward local ports to a pod, as kubectl port-forward.\n"
               "PORT is LOCAL:REMOTE, :REMOTE (a free local port) or REMOTE (the same port); REMOTE may be a\n"
               "container port's name. Many connections run at once over one streaming connection; a connection\n"
               "the pod refuses is reported and the forward keeps running. Ends with Ctrl-C."};
  app.name("crilet port-forward");
  std::string pod, ns = "default", server = DefaultServer();
  std::vector<std::string> specs, addresses{"localhost"};
  app.add_option("pod", pod, "pod name (pod/NAME is accepted)")->required();
  app.add_option("ports", specs, "[LOCAL:]REMOTE ...")->required();
  app.add_option("--address", addresses, "addresses to listen on (comma-separated); localhost = 127.0.0.1 and ::1 [default: localhost]")
      ->delimiter(',');
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_option("--server", server, "crilet status server [default: $CRILET_SERVER or http://127.0.0.1:10255]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (pod.rfind("pod/", 0) == 0) pod = pod.substr(4);
  if (pod.rfind("pods/", 0) == 0) pod = pod.substr(5);
  nlohmann::json found;
  if (Status s = FindPod(server, ns, pod, "", &found); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  std::string phase = found["status"].value("phase", "");
  if (phase != "Running") {
    std::cerr << "error: unable to forward port because pod is not running. Current status=" << phase << "\n";
    return 1;
  }
  std::vector<ForwardedPort> ports;
  std::vector<std::string> listen;
  if (Status s = ParsePortSpecs(specs, found, &ports); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (Status s = ParseListenAddresses(addresses, &listen); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::unique_ptr<cri::GrpcRuntime> runtime;
  if (Status s = RuntimeFromServer(server, &runtime); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  // The pod's ready sandbox, by its UID and namespace.
  std::vector<cri::Sandbox> sandboxes;
  cri::SandboxFilter filter;
  filter.state = cri::SandboxState::kReady;
  if (Status s = runtime->ListPodSandbox(filter, &sandboxes); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  std::string uid = found["metadata"].value("uid", ""), sandbox_id;
  for (const auto& sb : sandboxes) {
    if (sb.metadata.uid == uid) sandbox_id = sb.id;
  }
  if (sandbox_id.empty()) {
    std::cerr << "error: pod " << found["metadata"].value("name", pod) << " has no ready sandbox in the runtime\n";
    return 1;
  }
  std::vector<int32_t> remote;
  for (const auto& p : ports) remote.push_back(p.remote);
  std::string url;
  if (Status s = runtime->PortForward(sandbox_id, remote, &url); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  Status s = RunPortForward(url, listen, ports, std::cout, std::cerr);
  std::cerr << "error: " << s.message() << "\n";
  return 1;
}

}  // namespace crilet::cli
