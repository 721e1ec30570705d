// Parse, default, validate and name the pods of one manifest.
#include "manifests/loader.h"

#include "manifests/defaults.h"
#include "manifests/parser.h"
#include "manifests/printer.h"
#include "manifests/static_pod.h"
#include "manifests/validation.h"

namespace crilet::manifests {

LoadResult LoadManifest(std::string_view content, const LoadOptions& options) {
  LoadResult out;
  const std::string& shown = options.display_name.empty() ? options.source.path : options.display_name;
  for (auto& doc : ParseManifest(content, shown)) {
    out.warnings.insert(out.warnings.end(), doc.warnings.begin(), doc.warnings.end());
    if (!doc.errors.empty()) {
      out.errors.insert(out.errors.end(), doc.errors.begin(), doc.errors.end());
      continue;
    }
    Pod pod = std::move(doc.pod);
    int document = pod.source.document;
    pod.source = options.source;
    pod.source.document = document;
    ApplyDefaults(&pod);
    auto errors = ValidatePod(pod, doc.lines, shown, options.node_name);
    if (!errors.empty()) {
      out.errors.insert(out.errors.end(), errors.begin(), errors.end());
      continue;
    }
    MakeStaticPod(&pod, options.node_name, PodToYaml(pod));
    out.pods.push_back(std::move(pod));
  }
  if (out.pods.empty() && out.errors.empty() && content.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    // Only comments or empty documents: not an error, but worth saying.
    out.warnings.push_back(FieldError{shown, 0, "", "no pod in this file"});
  }
  return out;
}

}  // namespace crilet::manifests
