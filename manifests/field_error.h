/// FieldError: one problem in a manifest, located by file, line and field path, readable as a sentence.
#pragma once

#include <map>
#include <string>
#include <vector>

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

// Collects FieldErrors of one document, each at the line of its path as the reader marked it (path -> line),
// else of its nearest marked parent, else of the document ("").
class LineFieldErrors {
 public:
  LineFieldErrors(const std::map<std::string, int>& lines, const std::string& file) : lines_(lines), file_(file) {}
  void Add(const std::string& path, const std::string& message) {
    int line = 0;
    for (std::string p = path;;) {
      if (auto it = lines_.find(p); it != lines_.end()) {
        line = it->second;
        break;
      }
      size_t cut = p.find_last_of(".[");
      if (cut == std::string::npos) {
        if (auto it = lines_.find(""); it != lines_.end()) line = it->second;
        break;
      }
      p.resize(cut);
    }
    out.push_back(FieldError{file_, line, path, message});
  }
  std::vector<FieldError> out;

 private:
  const std::map<std::string, int>& lines_;
  const std::string& file_;
};

}  // namespace crilet::manifests
