/// DirSource: static pods from a directory (or one file): inotify for changes at once, a full rescan every period.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "manifests/field_error.h"
#include "manifests/pod.h"

namespace crilet::manifests {

// Editor and hidden files never hold manifests: dotfiles (as kubelet), "*~", "#*#", "*.swp", "*.swx",
// "*.swo", "*.tmp", "*.dpkg-*" and vim's "4913" probe file.
bool IgnoredManifestName(const std::string& name);

// What one file contributes: the pods of its last valid version, and its current problems.
struct FileState {
  std::string stat_key;          // inode, size and mtime when last read: unchanged files are not re-read
  std::string content_hash;      // of the last bytes read
  std::vector<Pod> pods;         // from the last version without errors
  std::vector<FieldError> errors;    // of the current version (empty when it is valid)
  std::vector<FieldError> warnings;
  bool ever_valid = false;
};

class DirSource {
 public:
  struct Options {
    std::string path;  // a directory or a single file
    std::string node_name;
    std::chrono::nanoseconds resync = std::chrono::seconds(20);
    // A completed write or rename is read after `settle` (batching a burst of renames); other events (a file
    // still being written) wait for `debounce` of quiet, so an editor's save is one rescan.
    std::chrono::milliseconds settle{2};
    std::chrono::milliseconds debounce{50};
  };
  // on_change(files) gets every file's state after each rescan that changed something.
  DirSource(Options options, std::function<void(const std::map<std::string, FileState>&)> on_change);
  ~DirSource();

  Status Start();
  void Stop();
  void Rescan();  // at once, from any thread

  // One synchronous scan (used by Start for the first snapshot, and by tests).
  void ScanOnce();

 private:
  void Run();
  void AddWatch();

  Options options_;
  std::function<void(const std::map<std::string, FileState>&)> on_change_;
  std::map<std::string, FileState> files_;  // by path; touched only by the scanning thread
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() and Rescan()
  int watch_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> rescan_{false};
  std::thread thread_;
};

}  // namespace crilet::manifests
