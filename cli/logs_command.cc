// crilet logs: kubectl's flags; which instance and which lines are decided in log_selection, read here.
#include "cli/logs_command.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/log_follower.h"
#include "cli/log_selection.h"
#include "cli/log_source.h"
#include "cli/pod_lookup.h"
#include "cli/status_lookup.h"
#include "common/cri_log.h"
#include "common/privilege.h"
#include "cri/grpc_runtime.h"

namespace crilet::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;

// One container's log being printed: its file, the CRI parser and kubectl's line rules.
struct Stream {
  std::string container;
  std::string id;
  bool running = false;
  std::unique_ptr<LogFollower> follower;
  std::unique_ptr<LogLinePrinter> printer;
  std::unique_ptr<CriLogReader> reader;

  void Feed(const std::string& bytes) {
    reader->Feed(bytes);
    std::cout << printer->Take();
  }
};

}  // namespace

int LogsCommand(int argc, char** argv) {
  CLI::App app{"crilet logs: print a container's log (like kubectl logs), read from its CRI log file."};
  app.name("crilet logs");
  LogsFlags flags;
  std::string ns = "default";
  StatusFlags daemon;
  bool follow = false, timestamps = false, prefix = false;
  app.add_option("pod", flags.args,
                 "POD [CONTAINER]: the pod (e.g. web-node1, or the manifest's name web) and, as with -c, its container");
  auto* container_opt = app.add_option("-c,--container", flags.container, "container name (needed when the pod has several)");
  app.add_flag("-f,--follow", follow, "keep printing new lines, across log rotation, until the container stops");
  app.add_flag("-p,--previous", flags.previous, "the previous instance of the container (the one that ran before this one)");
  app.add_option("--tail", flags.tail, "only the last N lines (-1: all) [default: -1]");
  app.add_option("--since", flags.since, "only lines newer than a duration like 5s, 2m or 3h");
  app.add_option("--since-time", flags.since_time, "only lines after an RFC3339 time (2024-05-01T10:00:00Z)");
  app.add_option("--limit-bytes", flags.limit_bytes, "at most N bytes of log per container (0: no limit)");
  app.add_flag("--all-containers", flags.all_containers, "every container of the pod, init containers first");
  app.add_flag("--prefix", prefix, "begin each line with its source, [pod/NAME/CONTAINER]");
  app.add_flag("--timestamps", timestamps, "begin each line with its RFC3339 time");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  flags.container_given = container_opt->count() > 0;
  auto fail = [](const std::string& message) {
    std::cerr << "Error: " << message << "\n";
    return 1;
  };
  LogsRequest req;
  if (Status s = MakeLogsRequest(flags, std::chrono::system_clock::now(), &req); !s.ok()) return fail(s.message());

  // The containers to read, in kubectl's order (init containers first) for --all-containers.
  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) return fail(s.message());
  std::vector<ContainerRef> refs;
  if (req.all_containers) {
    nlohmann::json pod;
    if (Status s = FindPod(*source, ns, req.pod, "", &pod); !s.ok()) return fail(s.message());
    for (const char* key : {"initContainers", "containers"}) {
      for (const auto& c : pod["spec"].value(key, nlohmann::json::array())) {
        ContainerRef ref;
        if (Status s = FindContainer(*source, ns, pod["metadata"].value("name", req.pod), c.value("name", ""), &ref); !s.ok()) {
          return fail(s.message());
        }
        refs.push_back(std::move(ref));
      }
    }
  } else {
    ContainerRef ref;
    if (Status s = FindContainer(*source, ns, req.pod, req.container, &ref); !s.ok()) return fail(s.message());
    refs.push_back(std::move(ref));
  }

  nlohmann::json config;
  if (Status s = source->GetJson("/configz", &config); !s.ok()) return fail(s.message());
  cri::GrpcRuntimeOptions o;
  o.endpoint = config["kubeletconfig"].value("containerRuntimeEndpoint", "unix:///run/containerd/containerd.sock");
  o.request_timeout = std::chrono::seconds(10);
  cri::GrpcRuntime runtime(o);

  std::vector<Stream> streams;
  for (const auto& ref : refs) {
    std::string pod_name = ref.pod["metadata"].value("name", req.pod);
    std::string id;
    if (Status s = ChooseLogContainer(ref.status, ref.name, pod_name, req.previous, &id); !s.ok()) return fail(s.message());
    cri::ContainerStatus st;
    if (Status s = FindLogInstance(&runtime, ref.pod["metadata"].value("uid", ""), ref.name, id, req.previous,
                                   ref.container_id, &st);
        !s.ok()) {
      return fail(s.message());
    }
    Stream stream;
    stream.container = ref.name;
    stream.id = st.id;
    stream.running = st.state == cri::ContainerState::kRunning;
    // 250 ms: containerd moves its writer to the new file within milliseconds of creating it.
    stream.follower = std::make_unique<LogFollower>(st.log_path, std::chrono::milliseconds(250));
    if (!stream.follower->Open()) {
      int err = errno;
      return fail("cannot read " + st.log_path + ": " + std::strerror(err) + RootAdvice(err, "the log directory"));
    }
    LogLinePrinter::Options po;
    po.since = req.since;
    po.tail = req.tail;
    po.limit_bytes = req.limit_bytes;
    po.timestamps = timestamps;
    if (prefix) po.prefix = "[pod/" + pod_name + "/" + ref.name + "] ";
    stream.printer = std::make_unique<LogLinePrinter>(po);
    LogLinePrinter* printer = stream.printer.get();
    stream.reader = std::make_unique<CriLogReader>(
        [printer](std::string_view time, std::string_view, const std::string& message) { printer->Add(time, message); });
    // What the file holds now; --tail counts these lines only.
    stream.reader->Feed(stream.follower->Poll(std::chrono::system_clock::now()));
    stream.printer->EndOfBacklog();
    std::cout << stream.printer->Take() << std::flush;
    streams.push_back(std::move(stream));
  }
  if (!follow) return 0;

  // Following: like kubectl, until each container stops (kubelet ends the stream then) or ^C.
  signal(SIGINT, [](int) { g_interrupted = 1; });
  auto next_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!g_interrupted) {
    bool any = false;
    for (auto& s : streams) {
      if (!s.running || s.printer->LimitReached()) continue;
      any = true;
      s.Feed(s.follower->Poll(std::chrono::system_clock::now()));
    }
    std::cout.flush();
    if (!any) break;
    if (std::chrono::steady_clock::now() >= next_check) {
      next_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      for (auto& s : streams) {
        cri::ContainerStatus now;
        if (!s.running) continue;
        Status st = runtime.ContainerStatus(s.id, false, &now);
        if (st.IsNotFound() || (st.ok() && now.state != cri::ContainerState::kRunning)) {
          s.Feed(s.follower->Finish());  // the container stopped: what it wrote last, then the end
          s.running = false;
        }
      }
      std::cout.flush();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

}  // namespace crilet::cli
