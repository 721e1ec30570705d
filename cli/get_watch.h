/// get pods -w / --watch-only: polls the status server's /pods and prints each change until a signal.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/pod_watch.h"
#include "cli/status_source.h"

namespace crilet::cli {

struct WatchRequest {
  const StatusSource* source = nullptr;
  // Which pods are watched (namespace, selectors, the NAME given).
  std::function<bool(const nlohmann::json& pod)> selected;
  bool list_first = true;  // false with --watch-only: only what changes after the start is printed
  // The status server has no change feed and its pods change at most once per relist (1 s by default), so
  // polling at that period sees what a watch would, except a state that lasts less than one poll.
  std::chrono::milliseconds poll_period{1000};
};

// Prints through `printer` until SIGINT, SIGTERM, SIGHUP or SIGQUIT (then exit status 1, as kubectl's
// interrupt handler), or until the status server stops answering (an error, status 1). A closed standard
// output ends it through SIGPIPE, as any filter (or, with SIGPIPE ignored, through the failed write: status 1).
// Blocks those signals in the calling thread.
int WatchPods(const WatchRequest& request, WatchPrinter* printer);

}  // namespace crilet::cli
