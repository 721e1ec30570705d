// Loading libarchive with dlopen on crilet cp's first use.
#include "cli/libarchive_api.h"

#include <dlfcn.h>

namespace crilet::cli {
namespace {

// The shared object of every libarchive 3 (its soname), then the development link as a fallback.
constexpr const char* kNames[] = {"libarchive.so.13", "libarchive.so"};

template <typename F>
bool Bind(void* lib, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (*out == nullptr && missing->empty()) *missing = name;
  return *out != nullptr;
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
  Bind(lib, "archive_write_new", &a.write_new, &missing);
  Bind(lib, "archive_write_set_format_pax_restricted", &a.write_set_format_pax_restricted, &missing);
  Bind(lib, "archive_write_open_fd", &a.write_open_fd, &missing);
  Bind(lib, "archive_write_header", &a.write_header, &missing);
  Bind(lib, "archive_write_data", &a.write_data, &missing);
  Bind(lib, "archive_write_close", &a.write_close, &missing);
  Bind(lib, "archive_read_new", &a.read_new, &missing);
  Bind(lib, "archive_read_support_format_tar", &a.read_support_format_tar, &missing);
  Bind(lib, "archive_read_support_format_gnutar", &a.read_support_format_gnutar, &missing);
  Bind(lib, "archive_read_open_fd", &a.read_open_fd, &missing);
  Bind(lib, "archive_read_next_header", &a.read_next_header, &missing);
  Bind(lib, "archive_read_data_block", &a.read_data_block, &missing);
  Bind(lib, "archive_free", &a.free, &missing);
  Bind(lib, "archive_error_string", &a.error_string, &missing);
  Bind(lib, "archive_entry_new", &a.entry_new, &missing);
  Bind(lib, "archive_entry_free", &a.entry_free, &missing);
  Bind(lib, "archive_entry_copy_stat", &a.entry_copy_stat, &missing);
  Bind(lib, "archive_entry_set_pathname", &a.entry_set_pathname, &missing);
  Bind(lib, "archive_entry_pathname", &a.entry_pathname, &missing);
  Bind(lib, "archive_entry_set_uname", &a.entry_set_uname, &missing);
  Bind(lib, "archive_entry_set_gname", &a.entry_set_gname, &missing);
  Bind(lib, "archive_entry_set_symlink", &a.entry_set_symlink, &missing);
  Bind(lib, "archive_entry_symlink", &a.entry_symlink, &missing);
  Bind(lib, "archive_entry_set_size", &a.entry_set_size, &missing);
  Bind(lib, "archive_entry_filetype", &a.entry_filetype, &missing);
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
