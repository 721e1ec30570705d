// Static pod naming and UID.
#include "manifests/static_pod.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace crilet::manifests {

std::string StaticPodUid(const std::string& canonical, const std::string& node, const PodSource& source) {
  using u128 = unsigned __int128;
  const u128 prime = (static_cast<u128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  u128 h = (static_cast<u128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  auto feed = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= prime;
    }
  };
  feed(canonical);
  feed("host:" + node);
  feed((source.kind == "http" ? "url:" : "file:") + source.path);
  feed("doc:" + std::to_string(source.document));
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h >> 64),
                static_cast<unsigned long long>(h));
  return buf;
}

void MakeStaticPod(Pod* pod, const std::string& node, const std::string& canonical) {
  std::string lower = node;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (pod->metadata.uid.empty()) pod->metadata.uid = StaticPodUid(canonical, lower, pod->source);
  pod->metadata.name += "-" + lower;
  if (pod->metadata.namespace_.empty()) pod->metadata.namespace_ = "default";
  pod->spec.node_name = node;
  pod->metadata.annotations[kConfigHashAnnotation] = pod->metadata.uid;
  pod->metadata.annotations[kConfigSourceAnnotation] = pod->source.kind.empty() ? "file" : pod->source.kind;
  Toleration t;
  t.operator_ = "Exists";
  t.effect = "NoExecute";
  if (std::find(pod->spec.tolerations.begin(), pod->spec.tolerations.end(), t) == pod->spec.tolerations.end()) {
    pod->spec.tolerations.push_back(t);
  }
}

}  // namespace crilet::manifests
