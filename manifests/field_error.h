/// FieldError: one problem in a manifest, located by file, line and field path, readable as a sentence.
#pragma once

#include <string>

namespace crilet::manifests {

struct FieldError {
  std::string file;     // as given by the source ("etcd.yaml" or a URL); may be empty
  int line = 0;         // 1-based; 0 = unknown
  std::string path;     // "spec.containers[0].livenessProbe.httpGet.port"; empty for the whole document
  std::string message;  // "must be a number 1-65535 or a named container port"

  // "etcd.yaml:14: spec.containers[0].livenessProbe.httpGet.port: must be ..."
  std::string ToString() const {
    std::string out;
    if (!file.empty()) out += file + ":";
    if (line > 0) out += std::to_string(line) + ":";
    if (!out.empty()) out += " ";
    if (!path.empty()) out += path + ": ";
    return out + message;
  }
};

}  // namespace crilet::manifests
