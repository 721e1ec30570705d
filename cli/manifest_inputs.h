/// The -f arguments of apply and delete: files, directories (*.yaml, *.yml, *.json), URLs and "-" (stdin), read into memory.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace crilet::cli {

struct ManifestInput {
  std::string name;     // how messages name it: the path, the URL, or "STDIN"
  bool url = false;
  std::string content;
};

// Pure: whether an -f argument is a URL (http:// or https://).
bool IsManifestUrl(const std::string& arg);

// Pure: the files of a directory listing that -f DIR reads (*.yaml, *.yml, *.json; not dot-names), sorted.
std::vector<std::string> ManifestFilesOf(std::vector<std::string> names);

// Reads every argument; the first failure is returned, naming the argument.
Status ReadManifestInputs(const std::vector<std::string>& args, std::vector<ManifestInput>* out);

}  // namespace crilet::cli
