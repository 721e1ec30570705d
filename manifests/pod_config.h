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
// (the first time its UID was seen; `seen` remembers it across calls, so it stays put for an unchanged pod).
// `url_name` names the URL source in problems.
std::vector<Pod> MergeSources(const std::map<std::string, FileState>& files, const FileState* url,
                              const std::string& url_name, std::map<std::string, std::string>* seen,
                              const Clock& clock, std::vector<FieldError>* problems);

// The sources' ConfigMaps and Secrets in the same order; the first of a kind, namespace and name wins and
// later ones are reported in `problems`.
LocalObjects MergeObjects(const std::map<std::string, FileState>& files, const FileState* url,
                          const std::string& url_name, std::vector<FieldError>* problems);

// kubelet's config.seen layout, 2006-01-02T15:04:05.000000000Z07:00, in UTC.
std::string SeenTime(TimePoint t);

// Owns the sources and their threads; destroying it stops them. `on_change` and `clock` must outlive it.
class PodConfig {
 public:
  struct Options {
    std::string manifest_path;
    std::string manifest_url;
    std::vector<std::pair<std::string, std::string>> url_headers;
    std::chrono::nanoseconds file_check_frequency = std::chrono::seconds(20);
    std::chrono::nanoseconds http_check_frequency = std::chrono::seconds(20);
    std::string node_name;
    // Refuse manifest paths and files that someone other than root or crilet's user could change;
    // false with --allow-insecure-manifest-dir.
    bool check_manifest_ownership = true;
  };
  // on_change gets the complete desired set whenever it changes, from the sources' threads, never two at a
  // time; it may call Problems() and SourcesReady(). A null clock means the system clock.
  PodConfig(Options options, std::function<void(std::vector<Pod>)> on_change, const Clock* clock = nullptr);
  ~PodConfig();
  PodConfig(const PodConfig&) = delete;
  PodConfig& operator=(const PodConfig&) = delete;

  // Starts the sources; the first snapshot (both sources read once; the URL fetch is bounded by its
  // 10 s timeout) is delivered before Start returns.
  Status Start();
  void Stop();    // joins the threads; prompt even while a URL fetch is in flight
  void Rescan();  // SIGHUP: re-read every file and fetch the URL at once
  // Current errors per file (invalid files, duplicate pods, unreachable URL), for /healthz and the CLI.
  std::vector<FieldError> Problems() const;
  // False while the URL source has never answered 200 (kubelet's sourcesReady): until then, a pod that
  // came from the URL before a restart cannot be told from an orphan, so the agent should not remove it.
  bool SourcesReady() const;
  // The ConfigMaps and Secrets declared now (a change of them alone also calls on_change, with the same pods).
  LocalObjects Objects() const;

 private:
  void Emit();  // called with emit_mu_ held

  Options options_;
  std::function<void(std::vector<Pod>)> on_change_;
  RealClock real_clock_;
  const Clock* clock_;
  std::unique_ptr<DirSource> dir_;
  std::unique_ptr<UrlSource> url_;

  std::mutex emit_mu_;  // serializes merging and on_change_; guards seen_, last_, last_ready_, emitted_
  std::map<std::string, std::string> seen_;
  std::vector<Pod> last_;
  LocalObjects last_objects_;
  bool last_ready_ = false;
  bool emitted_ = false;

  mutable std::mutex mu_;  // guards the source states and problems below (held briefly, never across calls)
  bool started_ = false;
  std::map<std::string, FileState> files_;
  FileState url_state_;
  bool have_url_state_ = false;
  bool url_ready_ = false;
  std::vector<FieldError> problems_;
  LocalObjects objects_;
};

}  // namespace crilet::manifests
