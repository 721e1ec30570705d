// The log instance through CRI, with the fallback for a removed previous instance.
#include "cli/log_source.h"

#include "agent/labels.h"
#include "cli/log_selection.h"

namespace crilet::cli {

Status FindLogInstance(cri::Runtime* runtime, const std::string& pod_uid, const std::string& container,
                       const std::string& chosen_id, bool previous, const std::string& current_id,
                       cri::ContainerStatus* out) {
  Status s = runtime->ContainerStatus(chosen_id, false, out);
  if (s.ok() || !s.IsNotFound() || !previous) {
    if (!s.ok()) return Status(s.code(), "failed to get container status \"" + chosen_id + "\": " + s.message());
    return s;
  }
  cri::ContainerFilter f;
  f.label_selector[agent::kPodUidLabel] = pod_uid;
  f.label_selector[agent::kContainerNameLabel] = container;
  std::vector<cri::Container> list;
  if (Status l = runtime->ListContainers(f, &list); !l.ok()) return l;
  auto newest = NewestExitedInstance(list, container, current_id);
  if (!newest) {
    return Status::NotFound("previous terminated container \"" + container + "\" not found: the runtime removed it");
  }
  if (Status t = runtime->ContainerStatus(newest->id, false, out); !t.ok()) {
    return Status(t.code(), "failed to get container status \"" + newest->id + "\": " + t.message());
  }
  return Status::Ok();
}

}  // namespace crilet::cli
