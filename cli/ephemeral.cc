// Debug containers as describe shows them: from CRI container statuses to v1 ephemeral container JSON.
#include "cli/ephemeral.h"

#include <memory>

#include "cli/cli_runtime.h"
#include "server/pod_json.h"

namespace crilet::cli {
namespace {

std::string Time(int64_t unix_nanos) {
  return server::FormatTime(TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(unix_nanos))));
}

}  // namespace

nlohmann::json EphemeralSpecJson(const cri::ContainerStatus& st, const std::string& target) {
  nlohmann::json c = {{"name", st.name}, {"image", st.annotations.count(kDebugImageAnnotation) ? st.annotations.at(kDebugImageAnnotation) : st.image}};
  if (!target.empty()) c["targetContainerName"] = target;
  return c;
}

nlohmann::json EphemeralStatusJson(const cri::ContainerStatus& st) {
  nlohmann::json s = {{"name", st.name},
                      {"containerID", "containerd://" + st.id},
                      {"image", st.image},
                      {"imageID", st.image_ref},
                      {"ready", false},
                      {"restartCount", 0}};
  if (st.state == cri::ContainerState::kRunning) {
    s["state"] = {{"running", {{"startedAt", Time(st.started_at)}}}};
  } else if (st.state == cri::ContainerState::kExited) {
    s["state"] = {{"terminated",
                   {{"exitCode", st.exit_code},
                    {"reason", st.reason},
                    {"startedAt", Time(st.started_at)},
                    {"finishedAt", Time(st.finished_at)}}}};
  } else {
    s["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
  }
  return s;
}

void AddEphemeralContainers(const StatusSource& source, nlohmann::json* pod) {
  std::unique_ptr<cri::GrpcRuntime> runtime;
  if (!RuntimeFromSource(source, &runtime).ok()) return;
  cri::ContainerFilter filter;
  filter.label_selector[kEphemeralForLabel] = (*pod)["metadata"].value("uid", "");
  std::vector<cri::Container> list;
  if (!runtime->ListContainers(filter, &list).ok() || list.empty()) return;
  nlohmann::json specs = nlohmann::json::array(), statuses = nlohmann::json::array();
  for (const auto& c : list) {
    cri::ContainerStatus st;
    if (!runtime->ContainerStatus(c.id, false, &st).ok()) continue;
    specs.push_back(EphemeralSpecJson(st, st.labels.count(kDebugTargetLabel) ? st.labels.at(kDebugTargetLabel) : ""));
    statuses.push_back(EphemeralStatusJson(st));
  }
  if (specs.empty()) return;
  (*pod)["spec"]["ephemeralContainers"] = specs;
  (*pod)["status"]["ephemeralContainerStatuses"] = statuses;
}

}  // namespace crilet::cli
