// Loading libarchive with dlopen on crilet cp's first use.
#include "cli/libarchive_api.h"

#include <dlfcn.h>

namespace crilet::cli {
namespace {

// The shared object of every libarchive 3 (its soname), then the development link as a fallback.
constexpr const char* kNames[] = {"libarchive.so.13", "libarchive.so"};

template <typename F>
void Bind(void* lib, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (*out == nullptr && missing->empty()) *missing = name;
}

struct Loaded {
  LibArchive api{};
  std::string error;  // empty when api is complete
};

Loaded Load() {
  Loaded out;
  void* lib = nullptr;
  std::string why;
  for (const char* name : kNames) {
    lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) break;
    if (why.empty()) why = dlerror();
  }
  if (lib == nullptr) {
    out.error = "crilet cp needs libarchive (Debian's libarchive13 package): " + why;
    return out;
  }
  LibArchive& a = out.api;
  std::string missing;
#define CRILET_LIBARCHIVE_BIND(name) Bind(lib, "archive_" #name, &a.name, &missing);
  CRILET_LIBARCHIVE_FUNCTIONS(CRILET_LIBARCHIVE_BIND)
#undef CRILET_LIBARCHIVE_BIND
  if (!missing.empty()) out.error = "the libarchive crilet cp loaded has no " + missing + " (libarchive 3 is needed)";
  return out;  // the library stays loaded for the process's life
}

}  // namespace

const LibArchive* LoadLibArchive(std::string* error) {
  static const Loaded loaded = Load();
  if (!loaded.error.empty()) {
    *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

}  // namespace crilet::cli
