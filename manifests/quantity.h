/// Quantity: a Kubernetes resource quantity ("500m", "128Mi", "1Gi", "1e3") kept exact in milli-units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crilet::manifests {

struct Quantity {
  std::string text;     // as written, for messages and round-tripping
  int64_t milli = 0;    // value * 1000, rounded up (kubelet rounds up too: MilliValue)

  // Whole units rounded up, as Quantity.Value() does: "500m" -> 1, "128Mi" -> 134217728.
  int64_t Value() const { return milli / 1000 + (milli % 1000 > 0 ? 1 : 0); }
  int64_t MilliValue() const { return milli; }
  // Equal amounts are equal whatever the spelling ("1Gi" == "1024Mi").
  bool operator==(const Quantity& o) const { return milli == o.milli; }
};

// Parses the Kubernetes quantity grammar: a signed decimal number (with optional fraction) followed by
// a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m "" k M G T P E) or an exponent (e3, E-2).
// Returns nullopt with *error saying what is wrong ("must be a quantity such as 500m, 128Mi or 1Gi").
std::optional<Quantity> ParseQuantity(std::string_view text, std::string* error);

}  // namespace crilet::manifests
