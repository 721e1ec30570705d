// kubectl's plain table layout.
#include "cli/columns.h"

#include <algorithm>

namespace crilet::cli {

std::string FormatColumns(std::vector<std::vector<std::string>> cells, bool headers) {
  if (!headers && !cells.empty()) cells.erase(cells.begin());
  if (cells.empty()) return "";
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size() && i < width.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 3, ' ');
    }
    out += "\n";
  }
  return out;
}

std::string LabelsCell(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "<none>" : out;
}

}  // namespace crilet::cli
