/// ValidatePod: the checks a static pod must pass, as errors naming file, line, field path and the problem.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/pod.h"

namespace crilet::manifests {

// `pod` has defaults applied but not the static name suffix; `lines` maps field paths to lines (from the
// parser) and the error's line is the nearest known one; `node` is the node name the suffix will use.
std::vector<FieldError> ValidatePod(const Pod& pod, const std::map<std::string, int>& lines, const std::string& file,
                                    const std::string& node);

// Name rules (k8s.io/apimachinery/pkg/util/validation); "" when valid, else what is wrong.
std::string CheckDnsLabel(const std::string& s);       // container, volume, namespace names
std::string CheckDnsSubdomain(const std::string& s);   // pod names
std::string CheckPortName(const std::string& s);       // IANA_SVC_NAME

}  // namespace crilet::manifests
