/// What a configMap, secret, downwardAPI or projected volume holds: a pure function from spec and objects to files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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

// fieldpath.FormatMap: `key="value"` lines sorted by key, no trailing newline (the labels/annotations files).
std::string FormatDownwardMap(const std::map<std::string, std::string>& m);

// The names of the ConfigMaps and Secrets `vol` reads, for update checks and describe ("configmap/x", "secret/y").
std::vector<std::string> ReferencedObjects(const manifests::Volume& vol);

// ReferencedObjects of every volume of the pod.
std::vector<std::string> ReferencedObjects(const manifests::Pod& pod);

// True when the pod has a configMap, secret, downwardAPI or projected volume.
bool HasObjectVolumes(const manifests::Pod& pod);

// Immutable ConfigMaps and Secrets a pod's volumes have seen, by "configmap/NAME" or "secret/NAME" (the pod's
// namespace). kubelet never reads an immutable object again once it has it, so these copies stand in for the
// source's while the object exists, whatever the file says later.
struct PinnedObjects {
  std::map<std::string, manifests::ConfigMap> config_maps;
  std::map<std::string, manifests::Secret> secrets;
};

// `current` as the pod's volumes must see it: pinned copies in place of the objects they pin; immutable objects
// the pod references (`refs` as ReferencedObjects gives them) pinned from now on; pins of objects gone from
// `current` dropped. `ignored` gets the references whose source differs from its pinned copy (an edit of an
// immutable object, which only a new pod sees).
manifests::LocalObjects PinImmutable(const manifests::LocalObjects& current, const std::string& ns,
                                     const std::vector<std::string>& refs, PinnedObjects* pinned,
                                     std::vector<std::string>* ignored);

}  // namespace crilet::agent
