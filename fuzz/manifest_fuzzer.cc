// libFuzzer target: any bytes through LoadManifest must give pods or errors, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "manifests/loader.h"
#include "manifests/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crilet::manifests::LoadOptions o;
  o.node_name = "fuzz";
  o.source = crilet::manifests::PodSource{"file", "/fuzz.yaml", 0};
  auto r = crilet::manifests::LoadManifest(std::string_view(reinterpret_cast<const char*>(data), size), o);
  // Valid pods must also print and load again (the printer and parser agree).
  for (const auto& pod : r.pods) {
    auto again = crilet::manifests::LoadManifest(crilet::manifests::PodToYaml(pod), o);
    (void)again;
  }
  return 0;
}
