/// kubectl's -l/--selector (label selectors) and --field-selector for pods: parsing and matching, pure.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

// One requirement of a label selector (apimachinery's labels.Requirement).
struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kExists;
  std::set<std::string> values;
};

// A parsed selector: every requirement must hold. Empty selects everything.
using LabelSelector = std::vector<LabelRequirement>;

// labels.Parse: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas. Errors read as
// kubectl's (`unable to parse requirement: ...`, `found '...', expected: ...`).
Status ParseLabelSelector(const std::string& text, LabelSelector* out);

// True when `labels` satisfy every requirement (a missing key fails `=`/`in`/exists, passes `!=`/`notin`/`!`).
bool MatchesLabels(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

// One term of a field selector: `path=value`, `path==value` or `path!=value`.
struct FieldRequirement {
  std::string path;
  bool equals = true;
  std::string value;
};
using FieldSelector = std::vector<FieldRequirement>;

// fields.ParseSelector, limited to the pod fields the API server accepts (metadata.name, metadata.namespace,
// spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, spec.hostNetwork,
// status.phase, status.podIP, status.nominatedNodeName); another names kubectl's error
// (`field label not supported: X`).
Status ParseFieldSelector(const std::string& text, FieldSelector* out);

// True when the v1 Pod JSON `pod` satisfies every term.
bool MatchesFields(const FieldSelector& selector, const nlohmann::json& pod);

}  // namespace crilet::cli
