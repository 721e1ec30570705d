/// LoadManifest: the bytes of one manifest file (or URL body) -> validated, defaulted static pods, ConfigMaps, Secrets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "manifests/field_error.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::manifests {

struct LoadOptions {
  std::string node_name;
  PodSource source;  // kind "file" or "http", path or URL; messages name source.path's file name
  std::string display_name;  // how messages name the source (defaults to source.path)
};

struct LoadResult {
  std::vector<Pod> pods;             // valid pods: defaults, static name, uid and config annotations applied
  LocalObjects objects;              // valid ConfigMaps and Secrets, source set
  std::vector<FieldError> errors;    // a document with any error yields no pod (or object)
  std::vector<FieldError> warnings;  // unknown fields and ignored settings
};

LoadResult LoadManifest(std::string_view content, const LoadOptions& options);

}  // namespace crilet::manifests
