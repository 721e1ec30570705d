/// Go's %q (strconv.Quote) of a byte string, for texts that must read as kubelet's.
#pragma once

#include <string>
#include <string_view>

namespace crilet {

// Printable ASCII and valid UTF-8 as they are, the rest escaped (\n, \t, \x01, ...), in double quotes.
std::string GoQuote(std::string_view s);

}  // namespace crilet
