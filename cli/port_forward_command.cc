// crilet port-forward: finds the pod's sandbox, asks CRI PortForward for a URL, and forwards until interrupted.
#include "cli/port_forward_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_runtime.h"
#include "cli/port_forward.h"
#include "cli/status_lookup.h"

namespace crilet::cli {

int PortForwardCommand(int argc, char** argv) {
  CLI::App app{"crilet port-forward: forward local ports to a pod, as kubectl port-forward.\n"
               "PORT is LOCAL:REMOTE, :REMOTE (a free local port) or REMOTE (the same port); REMOTE may be a\n"
               "container port's name. Many connections run at once over one streaming connection; a connection\n"
               "the pod refuses is reported and the forward keeps running. Ends with Ctrl-C."};
  app.name("crilet port-forward");
  std::string pod, ns = "default";
  StatusFlags daemon;
  std::vector<std::string> specs, addresses{"localhost"};
  app.add_option("pod", pod, "pod name (pod/NAME is accepted)")->required();
  app.add_option("ports", specs, "[LOCAL:]REMOTE ...")->required();
  app.add_option("--address", addresses, "addresses to listen on (comma-separated); localhost = 127.0.0.1 and ::1 [default: localhost]")
      ->delimiter(',');
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (pod.rfind("pod/", 0) == 0) pod = pod.substr(4);
  if (pod.rfind("pods/", 0) == 0) pod = pod.substr(5);
  std::unique_ptr<StatusSource> source;
  nlohmann::json found;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok() || !(s = FindPod(*source, ns, pod, "", &found)).ok()) {
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
  if (Status s = RuntimeFromSource(*source, &runtime); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  cri::Sandbox sandbox;
  if (Status s = ReadySandbox(runtime.get(), found, &sandbox); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::vector<int32_t> remote;
  for (const auto& p : ports) remote.push_back(p.remote);
  std::string url;
  if (Status s = runtime->PortForward(sandbox.id, remote, &url); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  Status s = RunPortForward(url, listen, ports, std::cout, std::cerr);
  std::cerr << "error: " << s.message() << "\n";
  return 1;
}

}  // namespace crilet::cli
