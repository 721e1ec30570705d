// crilet cp: kubectl cp's two directions over CRI Exec streams (the container needs tar), with libarchive locally.
#include "cli/cp_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/cli_runtime.h"
#include "cli/cp_paths.h"
#include "cli/interactive.h"
#include "cli/remote_command.h"
#include "cli/status_lookup.h"
#include "cli/tar_archive.h"

namespace crilet::cli {
namespace {

// An unnamed temporary file: the tar is staged there, so the session and the archive code need no threads.
int TempFile() {
  FILE* f = std::tmpfile();
  if (!f) return -1;
  int fd = dup(fileno(f));
  std::fclose(f);
  return fd;
}

int Fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

// Runs `cmd` in the container with `in` as stdin (or none) and stdout into `out`; prints kubectl's words
// for a failure and returns the exit status to end with, 0 on success.
int RunInContainer(cri::GrpcRuntime* runtime, const std::string& container_id, const std::vector<std::string>& cmd,
                   int in, int out) {
  cri::StreamExec req;
  req.container_id = container_id;
  req.cmd = cmd;
  req.stdin = in >= 0;
  std::string url;
  if (Status s = runtime->Exec(req, &url); !s.ok()) return Fail(s.message());
  RemoteCommandOptions opts;
  opts.stdin = in >= 0;
  RemoteCommandIo io;
  io.in = in;
  io.out = out;
  RemoteCommandResult result;
  Status s = RunRemoteCommand(url, opts, io, &result);
  std::string message;
  int code = SessionExit(s, result, &message);
  if (!message.empty()) std::cerr << message << "\n";
  return code;
}

}  // namespace

int CpCommand(int argc, char** argv) {
  CLI::App app{"crilet cp: copy files and directories to and from containers, as kubectl cp.\n"
               "  crilet cp /tmp/foo POD:/tmp/bar        crilet cp [NS/]POD:/tmp/foo /tmp/bar\n"
               "The container needs a tar binary (the copy is tar through exec). Symlinks from a pod are skipped,\n"
               "and so is any entry that would land outside the destination."};
  app.name("crilet cp");
  std::string src_arg, dest_arg, container, ns = "default";
  StatusFlags daemon;
  bool no_preserve = false;
  app.add_option("src", src_arg, "[[NAMESPACE/]POD:]PATH or a local path")->required();
  app.add_option("dest", dest_arg, "[[NAMESPACE/]POD:]PATH or a local path")->required();
  app.add_option("-c,--container", container, "container name (needed when the pod has several)");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  app.add_flag("--no-preserve", no_preserve, "do not keep ownership and permissions in the container");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  FileSpec src, dest;
  if (Status s = ExtractFileSpec(src_arg, &src); !s.ok()) return Fail(s.message());
  if (Status s = ExtractFileSpec(dest_arg, &dest); !s.ok()) return Fail(s.message());
  if (Status s = CheckCopyPair(src, dest); !s.ok()) return Fail(s.message());
  const FileSpec& remote = src.pod.empty() ? dest : src;
  struct stat st;
  if (src.pod.empty() && stat(src.path.c_str(), &st) != 0) return Fail(src.path + " doesn't exist in local filesystem");

  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) return Fail(s.message());
  RunningContainer target;
  if (Status s = FindRunningContainer(*source, remote.ns.empty() ? ns : remote.ns, remote.pod, container, &target); !s.ok()) {
    return Fail(s.message());
  }
  const ContainerRef& ref = target.ref;
  cri::GrpcRuntime* runtime = target.runtime.get();

  int staged = TempFile();
  if (staged < 0) return Fail("cannot make a temporary file for the tar stream");
  if (!dest.pod.empty()) {  // local -> pod
    cri::ExecResult test;
    bool is_dir = runtime->ExecSync(ref.container_id, {"test", "-d", dest.path}, std::chrono::seconds(30), &test).ok() &&
                  test.exit_code == 0;
    ToPodPlan plan = PlanCopyToPod(src.path, dest.path, is_dir);
    if (Status s = WriteTar(src.path, plan.entry_name, staged); !s.ok()) return Fail(s.message());
    lseek(staged, 0, SEEK_SET);
    std::vector<std::string> cmd = no_preserve ? std::vector<std::string>{"tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"}
                                               : std::vector<std::string>{"tar", "-xmf", "-"};
    if (!plan.extract_dir.empty()) cmd.insert(cmd.end(), {"-C", plan.extract_dir});
    int code = RunInContainer(runtime, ref.container_id, cmd, staged, STDOUT_FILENO);
    close(staged);
    return code;
  }
  // pod -> local
  int code = RunInContainer(runtime, ref.container_id, {"tar", "cf", "-", src.path}, -1, staged);
  if (code != 0) {
    close(staged);
    return code;
  }
  lseek(staged, 0, SEEK_SET);
  std::vector<std::string> warnings;
  Status s = ExtractTar(staged, CopyFromPodPrefix(src.path), dest.path, &warnings);
  close(staged);
  for (const auto& w : warnings) std::cerr << w << "\n";
  if (!s.ok()) return Fail(s.message());
  return 0;
}

}  // namespace crilet::cli
