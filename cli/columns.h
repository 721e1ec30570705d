/// kubectl's plain table layout: columns padded to their widest cell and three spaces apart; pure.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace crilet::cli {

// kubectl get's table flags.
struct TableOptions {
  bool wide = false;            // -o wide
  bool all_namespaces = false;  // -A: NAMESPACE first
  bool headers = true;          // false with --no-headers
  bool show_labels = false;     // --show-labels: LABELS last
  std::string name_prefix;      // before each NAME: "pod/" in get all, as kubectl prints several kinds
};

// kubectl's LABELS cell: k=v pairs sorted by key, joined by ",", or <none>.
std::string LabelsCell(const std::map<std::string, std::string>& labels);

// `cells[0]` is the header row; with `headers` false (kubectl --no-headers) it is left out, widths included.
std::string FormatColumns(std::vector<std::vector<std::string>> cells, bool headers = true);

}  // namespace crilet::cli
