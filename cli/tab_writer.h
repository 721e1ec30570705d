/// Go's text/tabwriter as kubectl describe configures it (padding 2, spaces, no flags): tab-separated cells of
/// consecutive lines aligned in column blocks; pure.
#pragma once

#include <string>

namespace crilet::cli {

// Each line is cut at its tabs; every cell but a line's last is tab-terminated and belongs to a column. A
// column block is a run of consecutive lines that have a cell in that column (a line without one ends it),
// and its cells are padded with spaces to the block's widest cell plus `padding`. Widths count UTF-8
// characters, as Go's does. So "Name:\tweb\nNamespace:\tdefault\n" becomes "Name:       web\nNamespace:  default\n".
std::string AlignTabs(const std::string& text, size_t padding = 2);

}  // namespace crilet::cli
