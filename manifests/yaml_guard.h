/// SafeLoadAll: yaml-cpp's LoadAll behind the limits hostile input needs (size, encoding, nesting, node count).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace YAML {
class Node;
}

namespace crilet::manifests {

// A kubeadm control-plane manifest is ~5 KiB and the API server refuses objects over 1.5 MiB. yaml-cpp
// scans ~4 MB/s and every accepted file is parsed twice, so 1 MiB keeps any answer well under a second.
// Readers of files and URL bodies stop one byte past it.
inline constexpr size_t kMaxManifestBytes = 1024 * 1024;

struct YamlLimits {
  size_t max_bytes = kMaxManifestBytes;
  int max_depth = 100;                 // a Pod with managedFields nests ~15 levels
  long max_nodes = 100000;             // values before alias expansion (yaml-cpp keeps ~400 bytes per node)
  long max_expanded = 1000000;         // values after alias expansion (a Pod has a few thousand)
  int max_documents = 1000;
};

struct YamlLoadError {
  int line = 0;  // 1-based; 0 = the whole text
  std::string message;
};

// Parses every document of `text`, refusing before yaml-cpp builds anything: text over the size limit,
// UTF-16, NUL and other control bytes, invalid UTF-8, nesting deeper than max_depth, more than max_nodes
// values or max_documents documents, and the stray ',' that makes yaml-cpp 0.7 loop forever.
// A first pass with yaml-cpp's event parser (which builds nothing) enforces the structural limits, so memory
// stays proportional to the accepted input. Never throws; false with *error when refused or not YAML.
bool SafeLoadAll(std::string_view text, const YamlLimits& limits, std::vector<YAML::Node>* docs,
                 YamlLoadError* error);

// The checks on raw bytes alone (size, encoding, flow nesting); used by SafeLoadAll.
bool CheckYamlText(std::string_view text, const YamlLimits& limits, YamlLoadError* error);

}  // namespace crilet::manifests
