/// What a configMap, secret, downwardAPI or projected volume holds: a pure function from spec and objects to files.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agent/container_config.h"
#include "common/status.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::agent {

struct ProjectedFile {
  std::string data;
  int32_t mode = manifests::kDefaultVolumeFileMode;
  bool operator==(const ProjectedFile&) const = default;
};

// Relative path inside the volume -> file.
using Projection = std::map<std::string, ProjectedFile>;

// The files of `vol` (which must have `object` set) for `pod`, as kubelet's configmap, secret, downwardAPI and
// projected plugins make their payload. A missing non-optional object or key fails with kubelet's text
// (`configmap "X" not found`, `configmap references non-existent config key: K`); an optional one is skipped.
// `ctx` gives node allocatable for resourceFieldRef.
Status ProjectVolume(const manifests::Volume& vol, const manifests::Pod& pod, const manifests::LocalObjects& objects,
                     const ContainerContext& ctx, Projection* out);

// Go's strconv.Quote of `s` (valid UTF-8 passes through; control bytes escaped).
std::string GoQuote(const std::string& s);

// fieldpath.FormatMap: `key="value"` lines sorted by key, no trailing newline (the labels/annotations files).
std::string FormatDownwardMap(const std::map<std::string, std::string>& m);

// The names of the ConfigMaps and Secrets `vol` reads, for update checks and describe ("configmap/x", "secret/y").
std::vector<std::string> ReferencedObjects(const manifests::Volume& vol);

}  // namespace crilet::agent
