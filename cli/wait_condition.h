/// kubectl wait's --for (condition=Ready, delete, jsonpath='{.status.phase}'=Running) and its verdict on a pod's JSON; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace crilet::cli {

struct WaitCondition {
  enum class Kind { kCondition, kDelete, kJsonPath };
  Kind kind = Kind::kCondition;
  std::string condition;       // "Ready" (kCondition)
  std::string condition_value = "True";  // condition=Ready=False waits for False
  std::string json_path;       // ".status.phase" (kJsonPath)
  std::string json_value;      // "Running"
};

// Parses --for's value: "condition=Ready", "condition=Ready=False", "delete", "jsonpath={.status.phase}=Running"
// (the braces optional, a dotted path with [N] indices). Errors in kubectl's words.
Status ParseWaitFor(const std::string& text, WaitCondition* out);

// Whether the pod (nullopt: the status server does not have it) meets the condition. A missing pod meets
// only kDelete: for the others it may not have been read yet (right after an apply), so the caller waits on.
bool WaitConditionMet(const WaitCondition& c, const std::optional<nlohmann::json>& pod);

// The value at a dotted path (".status.phase", ".status.containerStatuses[0].ready") as kubectl's jsonpath
// prints it (a string as is, other values as JSON); nullopt when the path is not there.
std::optional<std::string> JsonPathValue(const nlohmann::json& j, const std::string& path);

}  // namespace crilet::cli
