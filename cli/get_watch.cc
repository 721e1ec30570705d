// The polling loop behind get -w.
#include "cli/get_watch.h"

#include <signal.h>

#include <iostream>

#include "cli/signals.h"

namespace crilet::cli {
namespace {

// kubectl's interrupt.terminationSignals.
sigset_t WatchStopSignals() { return SignalSet({SIGINT, SIGTERM, SIGHUP, SIGQUIT}); }

Status Poll(const WatchRequest& request, nlohmann::json* items) {
  nlohmann::json list;
  if (Status s = request.source->GetJson("/pods", &list); !s.ok()) return s;
  *items = nlohmann::json::array();
  for (const auto& pod : list.value("items", nlohmann::json::array())) {
    if (request.selected(pod)) items->push_back(pod);
  }
  return Status::Ok();
}

}  // namespace

int WatchPods(const WatchRequest& request, WatchPrinter* printer) {
  // Blocked, so they wait for sigtimedwait between polls instead of killing the process in mid-row.
  const sigset_t stop = WatchStopSignals();
  BlockSignals(stop);
  PodWatch watch(printer->Fingerprint());
  bool first = true;
  for (;;) {
    nlohmann::json items;
    if (Status s = Poll(request, &items); !s.ok()) {
      std::cerr << "Error: " << s.message() << "\n";
      return 1;
    }
    std::vector<WatchEvent> events = watch.Update(items);
    if (!first || request.list_first) {
      const TimePoint now = std::chrono::system_clock::now();
      for (const auto& e : events) std::cout << printer->Print(e, now);
      std::cout.flush();
      if (!std::cout) return 1;  // the output is gone (SIGPIPE ignored by whoever started us): nobody reads on

    }
    first = false;
    if (WaitSignal(stop, request.poll_period) != 0) return 1;
  }
}

}  // namespace crilet::cli
