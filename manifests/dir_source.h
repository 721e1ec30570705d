/// DirSource: static pods from a directory (or one file): inotify for changes at once, a full rescan every period.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "manifests/field_error.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::manifests {

// Editor and hidden files never hold manifests: dotfiles (as kubelet), "*~", "#*#", "*.swp", "*.swx",
// "*.swo", "*.tmp", "*.bak", "*.dpkg-*", "*.rpmnew"/"*.rpmsave" and vim's "4913" probe file.
bool IgnoredManifestName(const std::string& name);

// What one file contributes: the pods of its last valid version, and its current problems.
struct FileState {
  std::string stat_key;          // inode, size, mtime, owner and mode when last read (and the directory's
                                 // verdict): unchanged files are not re-read
  std::string content_hash;      // of the last bytes read
  std::vector<Pod> pods;         // from the last version without errors
  LocalObjects objects;          // its ConfigMaps and Secrets, likewise
  std::vector<FieldError> errors;    // of the current version (empty when it is valid)
  std::vector<FieldError> warnings;
  bool ever_valid = false;
};

// Watches and reads one manifest path on its own thread; on_change runs on that thread (and in Start).
// Kubelet re-reads on every event; crilet waits until a burst of events is over, so that one editor save
// (rename away, write, close) is one update, but reads a completed write after `settle` (2 ms).
class DirSource {
 public:
  static constexpr uint32_t kCurrentEuid = UINT32_MAX;
  struct Options {
    std::string path;  // a directory or a single file; it may not exist yet
    std::string node_name;
    std::chrono::nanoseconds resync = std::chrono::seconds(20);
    // A burst that ends with completed writes or renames is read after `settle` of quiet; a burst with a
    // file still open for writing, or a delete that an editor may follow with a new file, after `debounce`
    // of quiet; never more than 4x `debounce` after the first event.
    std::chrono::milliseconds settle{2};
    std::chrono::milliseconds debounce{50};
    // A file written to but not closed is left as it was until it is closed, or for at most this long.
    std::chrono::milliseconds max_write_wait{1000};
    // How often to look for the path (or its parent) when it does not exist, so nothing can be watched.
    std::chrono::milliseconds missing_poll{250};
    // Refuse the directory and files that someone other than root or `euid` could change (path_safety.h);
    // false with --allow-insecure-manifest-dir.
    bool check_ownership = true;
    uint32_t euid = kCurrentEuid;  // crilet's effective uid; kCurrentEuid = geteuid()
  };
  // on_change(files) gets every file's state after each rescan that changed something.
  DirSource(Options options, std::function<void(const std::map<std::string, FileState>&)> on_change);
  ~DirSource();
  DirSource(const DirSource&) = delete;
  DirSource& operator=(const DirSource&) = delete;

  Status Start();  // the first scan happens (and on_change runs) before Start returns
  void Stop();     // returns promptly: the thread sleeps in poll() and is woken through an eventfd
  void Rescan();   // at once, from any thread, re-reading every file (SIGHUP)

  // One synchronous scan; `force` re-reads files whose size and mtime did not change. Not thread-safe:
  // for tests, before Start.
  void ScanOnce(bool force = false);

 private:
  struct Interest {
    bool all = false;             // every manifest name in the directory
    std::set<std::string> names;  // or only these
  };
  void Run();
  bool DrainEvents();     // reads events until quiet; true when one concerns a manifest
  bool RefreshWatches();  // makes the watches match the layout; true when they changed
  std::map<std::string, Interest> WantedWatches(bool* missing) const;
  std::chrono::steady_clock::time_point NextWriteExpiry() const;

  Options options_;
  std::function<void(const std::map<std::string, FileState>&)> on_change_;
  // Touched only by the scanning thread (or before it starts):
  std::map<std::string, FileState> files_;  // by path
  std::map<int, std::string> watch_dirs_;   // inotify watch descriptor -> directory (canonical)
  std::map<std::string, Interest> interests_;  // directory (canonical) -> which names matter
  std::map<std::string, std::chrono::steady_clock::time_point> writing_;  // name -> first unclosed write
  bool missing_ = false;  // some directory to watch does not exist yet
  bool force_next_ = false;

  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() and Rescan()
  std::atomic<bool> stop_{false};
  std::atomic<bool> rescan_{false};
  std::thread thread_;
};

}  // namespace crilet::manifests
