/// RFC 3339 times as Kubernetes writes them ("2024-05-01T10:00:00Z", "...T10:00:00.123456789+02:00"): parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace crilet {

// Parses RFC 3339 with an optional fraction (up to nanoseconds) and a "Z" or "±hh:mm" offset, as Go's
// time.RFC3339Nano does; nullopt when the text is anything else.
std::optional<TimePoint> ParseRfc3339(std::string_view text);

// The same time with its fraction written out to nine digits, as kubelet prints log timestamps
// (RFC3339NanoFixed): containerd's RFC3339Nano drops trailing zeros. Text that is not RFC 3339 is returned as is.
std::string FixedNanos(std::string_view text);

}  // namespace crilet
