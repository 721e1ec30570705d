// Reading and following CRI log files (across rotation) for crilet logs.
#include "cli/logs_command.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <deque>
#include <iostream>
#include <thread>

#include "cli/log_follower.h"
#include "cli/pod_lookup.h"
#include "cli/status_client.h"
#include "common/cri_log.h"

namespace crilet::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;

}  // namespace

int LogsCommand(int argc, char** argv) {
  CLI::App app{"crilet logs: print a container's log (like kubectl logs), read from its CRI log file."};
  app.name("crilet logs");
  std::string pod, container, ns = "default", server = DefaultServer();
  bool follow = false, previous = false, timestamps = false;
  int tail = -1;
  app.add_option("pod", pod, "pod name (e.g. web-node1, or the manifest's name web)")->required();
  app.add_option("-c,--container", container, "container name (needed when the pod has several)");
  app.add_flag("-f,--follow", follow, "keep printing new lines, across log rotation, until the container stops");
  app.add_flag("-p,--previous", previous, "the previous instance of the container (after a restart)");
  app.add_option("--tail", tail, "only the last N lines");
  app.add_flag("--timestamps", timestamps, "prefix each line with its RFC3339 time");
  app.add_option("-n,--namespace", ns, "pod namespace [default: default]");
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
  std::string pod_name = ref.pod["metadata"].value("name", pod);
  if (ref.container_id.empty()) {
    std::string why = ref.status["state"].contains("waiting") ? ref.status["state"]["waiting"].value("reason", "") : "";
    std::cerr << "Error: container \"" << ref.name << "\" in pod \"" << pod_name << "\" is waiting to start"
              << (why.empty() ? "" : ": " + why) << "\n";
    return 1;
  }
  int instance = ref.restart_count;
  if (previous) {
    if (!ref.status["lastState"].contains("terminated")) {
      std::cerr << "Error: previous terminated container \"" << ref.name << "\" in pod \"" << pod_name
                << "\" not found\n";
      return 1;
    }
    instance = ref.restart_count - 1;
  }
  nlohmann::json config;
  if (Status s = GetJson(server, "/configz", &config); !s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return 1;
  }
  std::string dir = config["kubeletconfig"].value("podLogsDir", "/var/log/pods");
  std::string path = dir + "/" + ns + "_" + pod_name + "_" + ref.pod["metadata"].value("uid", "") + "/" + ref.name +
                     "/" + std::to_string(instance) + ".log";
  // 250 ms: containerd moves its writer to the new file within milliseconds of creating it.
  LogFollower follower(path, std::chrono::milliseconds(250));
  if (!follower.Open()) {
    std::cerr << "Error: cannot read " << path << (geteuid() != 0 ? " (log files are root's: try sudo)" : "")
              << "\n";
    return 1;
  }

  std::deque<std::string> tail_lines;
  bool tailing = tail >= 0;
  auto print = [&](std::string_view time, std::string_view, const std::string& message) {
    std::string line = timestamps ? std::string(time) + " " + message : message;
    if (tailing) {
      tail_lines.push_back(std::move(line));
      if (static_cast<int>(tail_lines.size()) > tail) tail_lines.pop_front();
    } else {
      std::cout << line << "\n";
    }
  };
  CriLogReader reader(print);
  reader.Feed(follower.Poll(std::chrono::system_clock::now()));
  for (const auto& l : tail_lines) std::cout << l << "\n";
  tailing = false;
  std::cout.flush();
  if (!follow || previous) return 0;

  signal(SIGINT, [](int) { g_interrupted = 1; });
  auto next_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!g_interrupted) {
    std::string more = follower.Poll(std::chrono::system_clock::now());
    if (!more.empty()) {
      reader.Feed(more);
      std::cout.flush();
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      next_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      ContainerRef now;
      if (FindContainer(server, ns, pod_name, ref.name, &now).ok() &&
          (now.container_id != ref.container_id || !now.status["state"].contains("running"))) {
        reader.Feed(follower.Finish());
        std::cout.flush();
        return 0;  // the container stopped, like kubectl logs -f
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

}  // namespace crilet::cli
