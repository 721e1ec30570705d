/// ReadClaim / ReadPersistentVolume: one YAML document of kind PersistentVolumeClaim or PersistentVolume -> the object.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/persistent_volumes.h"

namespace YAML {
class Node;
}

namespace crilet::manifests {
class YamlReader;

// Reads the fields of a v1 PersistentVolumeClaim (metadata, spec.accessModes, spec.resources.requests.storage,
// spec.storageClassName, spec.volumeName, spec.volumeMode Filesystem) into *c; errors and warnings go to r.
void ReadClaim(YamlReader& r, const YAML::Node& n, PersistentVolumeClaim* c);
// Reads a v1 PersistentVolume (hostPath or local source, capacity, accessModes, reclaim policy, claimRef,
// storageClassName) into *v.
void ReadPersistentVolume(YamlReader& r, const YAML::Node& n, PersistentVolume* v);

}  // namespace crilet::manifests
