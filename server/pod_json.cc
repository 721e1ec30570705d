// Pod records -> v1 JSON objects.
#include "server/pod_json.h"

#include "agent/qos_policy.h"
#include "manifests/pod_json.h"

#include <ctime>

namespace crilet::server {
namespace {

using nlohmann::json;

json StateToJson(const agent::ContainerState& s) {
  json j = json::object();
  if (s.waiting) {
    json w = json::object();
    if (!s.waiting->reason.empty()) w["reason"] = s.waiting->reason;
    if (!s.waiting->message.empty()) w["message"] = s.waiting->message;
    j["waiting"] = w;
  }
  if (s.running) j["running"] = {{"startedAt", FormatTime(s.running->started_at)}};
  if (s.terminated) {
    const auto& t = *s.terminated;
    json x = {{"exitCode", t.exit_code}, {"startedAt", FormatTime(t.started_at)}, {"finishedAt", FormatTime(t.finished_at)}};
    if (t.signal) x["signal"] = t.signal;
    if (!t.reason.empty()) x["reason"] = t.reason;
    if (!t.message.empty()) x["message"] = t.message;
    if (!t.container_id.empty()) x["containerID"] = t.container_id;
    j["terminated"] = x;
  }
  return j;
}

json ContainerStatusToJson(const agent::ContainerStatus& c) {
  json j = {{"name", c.name},
            {"state", StateToJson(c.state)},
            {"lastState", StateToJson(c.last_state)},
            {"ready", c.ready},
            {"restartCount", c.restart_count},
            {"image", c.image},
            {"imageID", c.image_id}};
  if (!c.container_id.empty()) j["containerID"] = c.container_id;
  if (c.started) j["started"] = *c.started;
  return j;
}

}  // namespace

std::string FormatTime(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json PodStatusToJson(const agent::PodStatus& s) {
  json j = {{"phase", s.phase}};
  json conds = json::array();
  for (const auto& c : s.conditions) {
    json cj = {{"type", c.type}, {"status", c.status}, {"lastProbeTime", nullptr},
               {"lastTransitionTime", FormatTime(c.last_transition_time)}};
    if (!c.reason.empty()) cj["reason"] = c.reason;
    if (!c.message.empty()) cj["message"] = c.message;
    conds.push_back(cj);
  }
  j["conditions"] = conds;
  if (!s.message.empty()) j["message"] = s.message;
  if (!s.reason.empty()) j["reason"] = s.reason;
  if (!s.host_ip.empty()) {
    j["hostIP"] = s.host_ip;
    j["hostIPs"] = json::array({{{"ip", s.host_ip}}});
  }
  if (!s.pod_ip.empty()) {
    j["podIP"] = s.pod_ip;
    json ips = json::array();
    for (const auto& ip : s.pod_ips) ips.push_back({{"ip", ip}});
    j["podIPs"] = ips;
  }
  if (s.start_time) j["startTime"] = FormatTime(*s.start_time);
  if (!s.init_container_statuses.empty()) {
    json a = json::array();
    for (const auto& c : s.init_container_statuses) a.push_back(ContainerStatusToJson(c));
    j["initContainerStatuses"] = a;
  }
  json a = json::array();
  for (const auto& c : s.container_statuses) a.push_back(ContainerStatusToJson(c));
  j["containerStatuses"] = a;
  if (!s.qos_class.empty()) j["qosClass"] = s.qos_class;
  return j;
}

json PodToJson(const agent::PodRecord& r) {
  json j = manifests::PodToJson(r.pod);
  if (r.deletion_timestamp) j["metadata"]["deletionTimestamp"] = FormatTime(*r.deletion_timestamp);
  if (r.deletion_grace_period_seconds) j["metadata"]["deletionGracePeriodSeconds"] = *r.deletion_grace_period_seconds;
  j["status"] = PodStatusToJson(r.status);
  // A pod not synced yet has no generated status; its QoS class follows from the spec alone.
  if (!j["status"].contains("qosClass")) j["status"]["qosClass"] = agent::PodQosClass(r.pod);
  return j;
}

json PodListToJson(const std::vector<agent::PodRecord>& pods) {
  json items = json::array();
  for (const auto& r : pods) items.push_back(PodToJson(r));
  return {{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"items", items}};
}

json NodeEventsToJson(const std::string& node_name, const std::vector<agent::Event>& events) {
  json items = json::array();
  for (const auto& e : events) {
    items.push_back({{"type", e.type},
                     {"reason", e.reason},
                     {"message", e.message},
                     {"count", e.count},
                     {"firstTimestamp", FormatTime(e.first_timestamp)},
                     {"lastTimestamp", FormatTime(e.last_timestamp)},
                     {"involvedObject", {{"kind", "Node"}, {"name", node_name}}}});
  }
  return items;
}

json EventsToJson(const agent::PodRecord& r) {
  json items = json::array();
  for (const auto& e : r.events) {
    json involved = {{"kind", "Pod"}, {"name", r.pod.metadata.name}, {"namespace", r.pod.metadata.namespace_},
                     {"uid", r.pod.metadata.uid}};
    if (!e.field_path.empty()) involved["fieldPath"] = e.field_path;
    items.push_back({{"type", e.type},
                     {"reason", e.reason},
                     {"message", e.message},
                     {"count", e.count},
                     {"firstTimestamp", FormatTime(e.first_timestamp)},
                     {"lastTimestamp", FormatTime(e.last_timestamp)},
                     {"involvedObject", involved}});
  }
  return items;
}

}  // namespace crilet::server
