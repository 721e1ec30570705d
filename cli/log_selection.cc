// kubectl's logs flag checks, kubelet's choice of container instance, and the line filter.
#include "cli/log_selection.h"

#include <cmath>

#include "agent/labels.h"
#include "common/duration.h"
#include "common/rfc3339.h"

namespace crilet::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
    "POD or TYPE/NAME is a required argument for the logs command";

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string WithoutScheme(const std::string& id) {
  auto sep = id.find("://");
  return sep == std::string::npos ? id : id.substr(sep + 3);
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Status MakeLogsRequest(const LogsFlags& f, TimePoint now, LogsRequest* out) {
  LogsRequest r;
  // Complete: POD [CONTAINER]; the inline container wins over -c (and is then refused below).
  if (f.args.empty() || f.args.size() > 2) return Status::InvalidArgument(kUsage);
  r.pod = f.args[0];
  r.container = f.args.size() == 2 ? f.args[1] : f.container;
  std::optional<std::chrono::nanoseconds> since;
  if (!f.since.empty()) {
    std::string why;
    since = ParseDuration(f.since, &why);
    if (!since) return Status::InvalidArgument("invalid argument " + Quoted(f.since) + " for \"--since\" flag: " + why);
  }
  std::optional<TimePoint> since_time;
  if (!f.since_time.empty()) {
    since_time = ParseRfc3339(f.since_time);
    if (!since_time) {
      return Status::InvalidArgument("parsing time " + Quoted(f.since_time) +
                                     ": not an RFC3339 time (like 2006-01-02T15:04:05Z)");
    }
  }
  // Validate, in kubectl's order.
  bool since_given = since && since->count() != 0;
  if (since_time && since_given) {
    return Status::InvalidArgument("at most one of `sinceTime` or `sinceSeconds` may be specified");
  }
  if (f.all_containers && !r.container.empty()) {
    return Status::InvalidArgument("--all-containers=true should not be specified with container name " + r.container);
  }
  if (f.container_given && f.args.size() == 2) {
    return Status::InvalidArgument("only one of -c or an inline [CONTAINER] arg is allowed");
  }
  if (f.limit_bytes < 0) return Status::InvalidArgument("--limit-bytes must be greater than 0");
  if (since_given && since->count() < 0) return Status::InvalidArgument("--since must be greater than 0");
  if (f.tail < -1) return Status::InvalidArgument("--tail must be greater than or equal to -1");

  r.all_containers = f.all_containers;
  r.previous = f.previous;
  r.tail = f.tail;
  r.limit_bytes = f.limit_bytes;
  if (since_time) r.since = since_time;
  if (since_given) {
    // kubectl sends whole seconds (rounded), and kubelet counts them back from its clock.
    auto seconds = static_cast<int64_t>(std::llround(static_cast<double>(since->count()) / 1e9));
    r.since = now - std::chrono::seconds(seconds);
  }
  *out = std::move(r);
  return Status::Ok();
}

Status ChooseLogContainer(const json& status, const std::string& container, const std::string& pod, bool previous,
                          std::string* container_id) {
  std::string c = Quoted(container), p = Quoted(pod);
  if (!status.is_object() || status.empty()) {
    return Status::NotFound("container " + c + " in pod " + p + " is not available");
  }
  const json state = status.value("state", json::object());
  const json last = status.value("lastState", json::object());
  const json last_terminated = last.value("terminated", json::object());
  std::string last_id = Str(last_terminated, "containerID");
  std::string id;
  if (previous) {
    if (!last.contains("terminated") || last_id.empty()) {
      return Status::NotFound("previous terminated container " + c + " in pod " + p + " not found");
    }
    id = last_id;
  } else if (state.contains("running")) {
    id = Str(status, "containerID");
  } else if (state.contains("terminated")) {
    // When the next instance did not start, terminated.containerID is empty: the last one that ran.
    id = Str(state["terminated"], "containerID");
    if (id.empty()) id = last_id;
    if (id.empty()) return Status::NotFound("container " + c + " in pod " + p + " is terminated");
  } else if (last.contains("terminated")) {
    // Waiting to be restarted (CrashLoopBackOff): the instance that ran last.
    if (last_id.empty()) return Status::NotFound("container " + c + " in pod " + p + " is terminated");
    id = last_id;
  } else if (state.contains("waiting")) {
    std::string reason = Str(state["waiting"], "reason");
    if (reason == "ErrImagePull") reason = "image can't be pulled";
    if (reason == "ImagePullBackOff") reason = "trying and failing to pull image";
    return Status::FailedPrecondition("container " + c + " in pod " + p + " is waiting to start: " + reason);
  } else {
    return Status::FailedPrecondition("container " + c + " in pod " + p + " is waiting to start - no logs yet");
  }
  if (id.empty()) return Status::FailedPrecondition("container " + c + " in pod " + p + " is waiting to start - no logs yet");
  *container_id = WithoutScheme(id);
  return Status::Ok();
}

std::optional<cri::Container> NewestExitedInstance(const std::vector<cri::Container>& instances,
                                                   const std::string& container, const std::string& exclude_id) {
  std::optional<cri::Container> best;
  for (const auto& c : instances) {
    auto name = c.labels.find(agent::kContainerNameLabel);
    if (name == c.labels.end() || name->second != container) continue;
    if (c.id == exclude_id || c.state != cri::ContainerState::kExited) continue;
    if (!best || c.created_at > best->created_at) best = c;
  }
  return best;
}

void LogLinePrinter::Add(std::string_view time, const std::string& message) {
  if (backlog_ && options_.tail >= 0) {
    // kubelet starts reading at the tail's first line, then drops lines older than --since.
    if (options_.tail == 0) return;
    held_.emplace_back(std::string(time), message);
    if (static_cast<int64_t>(held_.size()) > options_.tail) held_.pop_front();
    return;
  }
  Emit(time, message);
}

void LogLinePrinter::EndOfBacklog() {
  backlog_ = false;
  for (const auto& [time, message] : held_) Emit(time, message);
  held_.clear();
}

std::string LogLinePrinter::Take() {
  std::string out;
  out.swap(out_);
  return out;
}

void LogLinePrinter::Emit(std::string_view time, const std::string& message) {
  if (LimitReached()) return;
  if (options_.since) {
    auto t = ParseRfc3339(time);
    if (t && *t < *options_.since) return;
  }
  std::string line = options_.timestamps ? FixedNanos(time) + " " + message + "\n" : message + "\n";
  if (options_.limit_bytes > 0 && sent_ + static_cast<int64_t>(line.size()) > options_.limit_bytes) {
    line.resize(static_cast<size_t>(options_.limit_bytes - sent_));
  }
  sent_ += static_cast<int64_t>(line.size());
  out_ += options_.prefix + line;
}

}  // namespace crilet::cli
