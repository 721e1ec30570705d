/// What `crilet logs` reads and prints, decided as kubectl and kubelet decide it: flags, instance, lines; pure.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "cri/types.h"

namespace crilet::cli {

// kubectl logs' flags, as given on the command line.
struct LogsFlags {
  std::vector<std::string> args;  // POD [CONTAINER]
  std::string container;          // -c
  bool container_given = false;   // -c was on the command line
  bool all_containers = false;
  bool previous = false;
  std::string since;       // --since, a Go duration; "" = not given
  std::string since_time;  // --since-time, RFC 3339; "" = not given
  int64_t tail = -1;
  int64_t limit_bytes = 0;
};

// What to fetch, once the flags made sense.
struct LogsRequest {
  std::string pod;
  std::string container;  // "" = the only one (or all, with all_containers)
  bool all_containers = false;
  bool previous = false;
  std::optional<TimePoint> since;
  int64_t tail = -1;         // -1 = all
  int64_t limit_bytes = 0;   // 0 = no limit
};

// kubectl's Complete and Validate: the same checks in the same order, with kubectl's messages (e.g.
// "at most one of `sinceTime` or `sinceSeconds` may be specified"). --since is rounded to whole seconds
// before `now`, as kubectl sends sinceSeconds.
Status MakeLogsRequest(const LogsFlags& flags, TimePoint now, LogsRequest* out);

// kubelet's validateContainerLogStatus: which instance's log to read, given the container's v1
// ContainerStatus (a JSON object, {} when there is none). With `previous`, the last terminated instance
// (lastState.terminated.containerID); else the running one, or the one that ran last (in CrashLoopBackOff the
// current state is Waiting and lastState holds it). *container_id comes without the "containerd://" prefix.
// Errors are kubelet's sentences ("previous terminated container \"app\" in pod \"web-node1\" not found").
Status ChooseLogContainer(const nlohmann::json& status, const std::string& container, const std::string& pod,
                          bool previous, std::string* container_id);

// The newest exited instance of `container` in `instances` (a pod's containers, any order) other than
// `exclude_id`: what `logs -p` reads when the status names an instance the runtime no longer has.
std::optional<cri::Container> NewestExitedInstance(const std::vector<cri::Container>& instances,
                                                   const std::string& container, const std::string& exclude_id);

// Turns one container's CRI log messages into kubectl's output: --tail (of the lines the file held when
// reading began), --since, --timestamps, --limit-bytes (counting what kubelet sends: time and line), and
// kubectl's --prefix "[pod/NAME/CONTAINER] " on every line. Feed the file's contents, call EndOfBacklog once
// they are read, then feed what follows.
class LogLinePrinter {
 public:
  struct Options {
    std::optional<TimePoint> since;
    int64_t tail = -1;
    int64_t limit_bytes = 0;
    bool timestamps = false;
    std::string prefix;
  };
  explicit LogLinePrinter(Options options) : options_(std::move(options)) {}

  void Add(std::string_view time, const std::string& message);
  void EndOfBacklog();
  std::string Take();  // the output so far (and forgets it)
  bool LimitReached() const { return options_.limit_bytes > 0 && sent_ >= options_.limit_bytes; }

 private:
  void Emit(std::string_view time, const std::string& message);

  Options options_;
  bool backlog_ = true;
  std::deque<std::pair<std::string, std::string>> held_;  // time, message: the last --tail lines so far
  int64_t sent_ = 0;
  std::string out_;
};

}  // namespace crilet::cli
