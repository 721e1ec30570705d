/// The objects `crilet apply` writes: one manifest file per object, its name, and kubectl's created/configured/unchanged; pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace crilet::cli {

// One object of an applied manifest, as it will be written to the manifest directory.
struct AppliedObject {
  std::string kind;        // "Pod", "ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume"
  std::string namespace_;  // "" for a PersistentVolume (cluster-scoped)
  std::string name;
  std::string content;     // the file's bytes: kHeader, then the object's YAML
};

// The first line of every file apply writes: how `delete pod NAME` tells its files from hand-written ones.
inline constexpr const char* kAppliedHeader = "# Written by crilet apply; crilet delete removes it. Edit by applying again.\n";

// The objects of a manifest's text (YAML or JSON, several documents, List/PodList items), in order. `text`
// must already have passed the loader; an unexpected shape fails with *error set.
bool SplitObjects(const std::string& text, std::vector<AppliedObject>* out, std::string* error);

// "<namespace>.<name>.<kind-lowercase>.yaml"; a PersistentVolume has no namespace: "<name>.persistentvolume.yaml".
// Namespaces are DNS labels (no dots), so the first dot ends the namespace and names cannot collide.
std::string ObjectFileName(const std::string& kind, const std::string& ns, const std::string& name);

// kubectl's singular resource word: "pod", "configmap", "secret", "persistentvolumeclaim", "persistentvolume".
std::string ResourceWord(const std::string& kind);

// The kind for what a user types after `delete` (pod, pods, po, cm, pvc, pv, ...); "" when unknown.
std::string KindForResource(const std::string& resource);

// kubectl's verdict of one apply, from the file's current bytes (nullopt: no file) and the new ones.
enum class ApplyOutcome { kCreated, kConfigured, kUnchanged };
ApplyOutcome DecideApply(const std::optional<std::string>& existing, const std::string& wanted);
const char* ApplyOutcomeWord(ApplyOutcome outcome);  // "created", "configured", "unchanged"

// Mode bits of the file: Secrets are readable by root only.
unsigned ObjectFileMode(const std::string& kind);

// Whether a manifest file's bytes were written by crilet apply.
bool WrittenByApply(const std::string& content);

}  // namespace crilet::cli

namespace crilet::cli {

// One file of the manifest directory, as delete looks at it.
struct ManifestDirFile {
  std::string name;     // file name, without the directory
  std::string content;
};

// Where an object to delete lives, decided from the directory's files.
struct DeleteTarget {
  enum class Kind { kAppliedFile, kHandWritten, kNotFound };
  Kind kind = Kind::kNotFound;
  std::string file;      // the file to remove (kAppliedFile) or the hand-written one that holds it
  size_t documents = 0;  // objects in that hand-written file
};

// Pure: the file apply wrote for the object (its name and header) is removed; a file apply did not write
// (found by the object's kind, namespace and name) is refused, never edited.
DeleteTarget FindDeleteTarget(const std::string& kind, const std::string& ns, const std::string& name,
                              const std::vector<ManifestDirFile>& files);

// The refusal for a hand-written file, naming it: "pod \"web\" comes from /m/all.yaml, which holds 3 objects
// and was not written by crilet apply; edit that file instead".
std::string HandWrittenRefusal(const std::string& kind, const std::string& name, const std::string& path, size_t documents);

}  // namespace crilet::cli
