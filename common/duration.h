/// Go-style durations ("20s", "1m30s", "300ms") as kubelet flags and KubeletConfiguration write them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crilet {

// Parses a Go time.Duration string: a sequence of decimal numbers with optional fraction and a unit
// (ns, us, µs, ms, s, m, h), optionally signed; "0" alone is allowed. Returns nullopt and fills *error
// with what is wrong otherwise.
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string* error);

// Formats like Go: 1m30s, 300ms, 20s, 0s.
std::string FormatDuration(std::chrono::nanoseconds d);

// Formats a coarse age the way kubectl does: 45s, 5m12s, 3h4m, 2d3h, 12d.
std::string FormatAge(std::chrono::nanoseconds d);

}  // namespace crilet
