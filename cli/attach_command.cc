// crilet attach: CRI Attach and a streaming session on the container's main process.
#include "cli/attach_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_runtime.h"
#include "cli/interactive.h"
#include "cli/status_lookup.h"
#include "cli/signals.h"
#include "cli/terminal.h"

namespace crilet::cli {

int AttachCommand(int argc, char** argv) {
  CLI::App app{"crilet attach: attach to the main process of a running container, as kubectl attach.\n"
               "Prints what it writes from now on; -i passes stdin (the container needs stdin: true), -t a\n"
               "terminal (the container needs tty: true). Ends when the process exits or with Ctrl-C (without -t)."};
  app.name("crilet attach");
  std::string pod, container, ns = "default";
  StatusFlags daemon;
  bool stdin_flag = false, tty_flag = false, quiet = false;
  app.add_option("pod", pod, "pod name")->required();
  app.add_option("-c,--container", container, "container name (needed when the pod has several)");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_flag("-i,--stdin", stdin_flag, "pass stdin to the container");
  app.add_flag("-t,--tty", tty_flag, "stdin is a TTY (with -i)");
  app.add_flag("-q,--quiet", quiet, "print only what the container prints");
  AddStatusFlags(&app, &daemon);
  BlockSignals(SignalSet({SIGWINCH}));  // before any thread starts (see signals.h)
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::unique_ptr<StatusSource> source;
  RunningContainer target;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok() || !(s = FindRunningContainer(*source, ns, pod, container, &target)).ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  const ContainerRef& ref = target.ref;
  // The container's spec says whether it has a stdin and a terminal to attach to.
  bool spec_stdin = false, spec_tty = false;
  const auto& spec = ref.pod["spec"];
  for (const char* list : {"containers", "initContainers"}) {
    for (const auto& c : spec.value(list, nlohmann::json::array())) {
      if (c.value("name", "") != ref.name) continue;
      spec_stdin = c.value("stdin", false);
      spec_tty = c.value("tty", false);
    }
  }
  std::string warning;
  RemoteCommandOptions opts = ChooseStreams(stdin_flag, tty_flag, IsTerminal(STDIN_FILENO), &warning);
  if (opts.tty && !spec_tty) {
    opts.tty = false;
    opts.stderr = true;
    warning = "error: Unable to use a TTY - container " + ref.name + " did not allocate one";
  } else if (!opts.tty && spec_tty) {
    opts.tty = true;  // the process writes to a terminal: its output comes on one stream (as kubectl forces it)
    opts.stderr = false;
  }
  if (!warning.empty() && !quiet) std::cerr << warning << "\n";
  if (opts.stdin && !spec_stdin) {
    std::cerr << "Error: container \"" << ref.name << "\" has no stdin to attach to (set stdin: true in its spec)\n";
    return 1;
  }
  if (opts.stdin && opts.tty && !quiet) std::cerr << "If you don't see a command prompt, try pressing enter.\n";
  cri::StreamAttach req;
  req.container_id = ref.container_id;
  req.tty = opts.tty;
  req.stdin = opts.stdin;
  req.stdout = opts.stdout;
  req.stderr = opts.stderr;
  std::string url;
  if (Status s = target.runtime->Attach(req, &url); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  return RunInteractive(url, opts);
}

}  // namespace crilet::cli
