/// PodConfig: merges the directory and URL sources into the desired set of static pods, by UID.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "manifests/dir_source.h"
#include "manifests/url_source.h"

namespace crilet::manifests {

// The merged desired set from per-source file states: pods in file-name order (the URL last), the first
// pod of a full name wins and later ones are reported, and each pod gets kubelet's config.seen annotation
// (the first time its UID was seen; `seen` remembers it across calls).
std::vector<Pod> MergeSources(const std::map<std::string, FileState>& files, const FileState* url,
                              std::map<std::string, std::string>* seen, const Clock& clock,
                              std::vector<FieldError>* problems);

class PodConfig {
 public:
  struct Options {
    std::string manifest_path;
    std::string manifest_url;
    std::vector<std::pair<std::string, std::string>> url_headers;
    std::chrono::nanoseconds file_check_frequency = std::chrono::seconds(20);
    std::chrono::nanoseconds http_check_frequency = std::chrono::seconds(20);
    std::string node_name;
  };
  // on_change gets the complete desired set whenever it changes; calls are serialized.
  PodConfig(Options options, std::function<void(std::vector<Pod>)> on_change, const Clock* clock);
  ~PodConfig();

  // Starts the sources; the first snapshot (both sources read once) is delivered before Start returns.
  Status Start();
  void Stop();
  void Rescan();
  // Current errors per file (invalid files, duplicate pods, unreachable URL).
  std::vector<FieldError> Problems() const;

 private:
  void Emit();

  Options options_;
  std::function<void(std::vector<Pod>)> on_change_;
  const Clock* clock_;
  std::unique_ptr<DirSource> dir_;
  std::unique_ptr<UrlSource> url_;

  mutable std::mutex mu_;  // guards everything below; held while on_change_ runs so calls never overlap
  bool started_ = false;
  std::map<std::string, FileState> files_;
  FileState url_state_;
  bool have_url_state_ = false;
  std::map<std::string, std::string> seen_;
  std::vector<FieldError> problems_;
  std::vector<Pod> last_;
  bool emitted_ = false;
};

}  // namespace crilet::manifests
