// Parse, default, validate and name the pods of one manifest.
#include "manifests/loader.h"

#include <exception>

#include "manifests/defaults.h"
#include "manifests/parser.h"
#include "manifests/printer.h"
#include "manifests/static_pod.h"
#include "manifests/validation.h"

namespace crilet::manifests {
namespace {

constexpr size_t kMaxReported = 200;  // errors or warnings per file

void Prefix(const std::string& prefix, std::vector<FieldError>* errors) {
  if (prefix.empty()) return;
  for (auto& e : *errors) e.path = e.path.empty() ? prefix : prefix + "." + e.path;
}

LoadResult Load(std::string_view content, const LoadOptions& options) {
  LoadResult out;
  const std::string& shown = options.display_name.empty() ? options.source.path : options.display_name;
  for (auto& doc : ParseManifest(content, shown)) {
    out.warnings.insert(out.warnings.end(), doc.warnings.begin(), doc.warnings.end());
    if (!doc.errors.empty()) {
      out.errors.insert(out.errors.end(), doc.errors.begin(), doc.errors.end());
      continue;
    }
    if (doc.config_map || doc.secret || doc.claim || doc.persistent_volume) {
      PodSource source = options.source;
      source.document = doc.pod.source.document;
      if (doc.claim) {
        doc.claim->source = source;
        out.objects.claims.push_back(std::move(*doc.claim));
      } else if (doc.persistent_volume) {
        doc.persistent_volume->source = source;
        out.objects.persistent_volumes.push_back(std::move(*doc.persistent_volume));
      } else if (doc.config_map) {
        doc.config_map->source = source;
        out.objects.config_maps.push_back(std::move(*doc.config_map));
      } else {
        doc.secret->source = source;
        out.objects.secrets.push_back(std::move(*doc.secret));
      }
      continue;
    }
    Pod pod = std::move(doc.pod);
    int document = pod.source.document;
    pod.source = options.source;
    pod.source.document = document;
    const bool priority_given = pod.spec.priority.has_value();
    ApplyDefaults(&pod);
    auto errors = ValidatePod(pod, doc.lines, shown, options.node_name);
    if (!errors.empty()) {
      Prefix(doc.path_prefix, &errors);
      out.errors.insert(out.errors.end(), errors.begin(), errors.end());
      continue;
    }
    // The UID hashes the defaulted pod before renaming, as kubelet's applyDefaults does. A priority taken from
    // a system class is the API server's admission, not kubelet's defaulting: it stays out of the hash, so
    // kubeadm's control-plane pods keep the UIDs (and running containers) they had before crilet set it.
    Pod hashed = pod;
    if (!priority_given) hashed.spec.priority.reset();
    MakeStaticPod(&pod, options.node_name, PodToYaml(hashed));
    out.pods.push_back(std::move(pod));
  }
  if (out.pods.empty() && out.objects.empty() && out.errors.empty() && content.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    // Only comments or empty documents: not an error, but worth saying.
    out.warnings.push_back(FieldError{shown, 0, "", "no pod in this file"});
  }
  // A thousand broken documents need not print four thousand lines.
  for (auto* list : {&out.errors, &out.warnings}) {
    if (list->size() > kMaxReported) {
      size_t more = list->size() - kMaxReported;
      list->resize(kMaxReported);
      list->push_back(FieldError{shown, 0, "", std::to_string(more) + (list == &out.errors ? " more errors" : " more warnings") +
                                                   " not shown"});
    }
  }
  return out;
}

}  // namespace

LoadResult LoadManifest(std::string_view content, const LoadOptions& options) {
  try {
    return Load(content, options);
  } catch (const std::exception& e) {
    // Nothing in a manifest may take the daemon down; a surprise becomes an error about the file.
    LoadResult out;
    const std::string& shown = options.display_name.empty() ? options.source.path : options.display_name;
    out.errors.push_back(FieldError{shown, 0, "", std::string("cannot read manifest: ") + e.what()});
    return out;
  }
}

}  // namespace crilet::manifests
