// How go-yaml v2 (sigs.k8s.io/yaml, which kubelet uses) resolves an unquoted scalar.
#pragma once

#include <string>

namespace crilet {

enum class PlainType { kString, kBool, kNumber, kNull };

// What an unquoted YAML scalar `s` means to go-yaml v2: YAML 1.1 booleans (y, No, ON...), nulls, ints, floats.
PlainType ResolvePlain(const std::string& s);

}  // namespace crilet
