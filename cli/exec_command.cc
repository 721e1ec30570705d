// crilet exec: CRI Exec and a streaming session (stdin, a terminal, live output), or ExecSync with --timeout.
#include "cli/exec_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_runtime.h"
#include "cli/interactive.h"
#include "cli/status_lookup.h"
#include "cli/signals.h"
#include "cli/terminal.h"

namespace crilet::cli {

int ExecCommand(int argc, char** argv) {
  CLI::App app{"crilet exec: run a command in a running container, as kubectl exec.\n"
               "Output streams as the command writes it; -i passes stdin (its end closes the command's stdin),\n"
               "-it gives a terminal (raw mode, window size, Ctrl-C and Ctrl-D go to the command).\n"
               "The exit code is the command's. With --timeout the command runs through CRI ExecSync instead\n"
               "(no stdin, output at the end) and is killed after that many seconds."};
  app.name("crilet exec");
  std::string pod, container, ns = "default";
  StatusFlags daemon;
  std::vector<std::string> command;
  int timeout = 0;
  bool stdin_flag = false, tty_flag = false, quiet = false;
  app.add_option("pod", pod, "pod name")->required();
  app.add_option("command", command, "the command, after --")->required();
  app.add_option("-c,--container", container, "container name (needed when the pod has several)");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_flag("-i,--stdin", stdin_flag, "pass stdin to the container");
  app.add_flag("-t,--tty", tty_flag, "stdin is a TTY (with -i)");
  app.add_flag("-q,--quiet", quiet, "print only what the command prints");
  app.add_option("--timeout", timeout, "seconds before the command is killed (through ExecSync); 0 = none [default: 0]");
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
  cri::GrpcRuntime* runtime = target.runtime.get();
  if (timeout > 0) {
    if (stdin_flag || tty_flag) {
      std::cerr << "Error: --timeout runs the command through ExecSync, which has no stdin or terminal\n";
      return 1;
    }
    cri::ExecResult r;
    Status s = runtime->ExecSync(ref.container_id, command, std::chrono::seconds(timeout), &r);
    if (!s.ok()) {
      std::cerr << "Error: " << s.message() << "\n";
      return s.IsDeadlineExceeded() ? 124 : 1;
    }
    std::cout << r.stdout_data << std::flush;
    std::cerr << r.stderr_data << std::flush;
    return r.exit_code;
  }
  std::string warning;
  RemoteCommandOptions opts = ChooseStreams(stdin_flag, tty_flag, IsTerminal(STDIN_FILENO), &warning);
  if (!warning.empty() && !quiet) std::cerr << warning << "\n";
  cri::StreamExec req;
  req.container_id = ref.container_id;
  req.cmd = command;
  req.tty = opts.tty;
  req.stdin = opts.stdin;
  req.stdout = opts.stdout;
  req.stderr = opts.stderr;
  std::string url;
  if (Status s = runtime->Exec(req, &url); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  return RunInteractive(url, opts);
}

}  // namespace crilet::cli
