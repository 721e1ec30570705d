/// JSON for pods as kubelet's read-only port serves them (v1 Pod, PodList and events, kubelet's field names).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/api_status.h"

namespace crilet::server {

// "2006-01-02T15:04:05Z", the v1 API's time format.
std::string FormatTime(TimePoint t);

nlohmann::json PodStatusToJson(const agent::PodStatus& s);
nlohmann::json PodToJson(const agent::PodRecord& r);
nlohmann::json PodListToJson(const std::vector<agent::PodRecord>& pods);
nlohmann::json EventsToJson(const agent::PodRecord& r);  // a v1 EventList-like list for one pod
// The node's own events (involvedObject kind Node), in the same shape.
nlohmann::json NodeEventsToJson(const std::string& node_name, const std::vector<agent::Event>& events);

}  // namespace crilet::server
