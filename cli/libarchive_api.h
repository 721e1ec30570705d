/// LibArchive: the libarchive functions crilet cp uses, loaded on first use, so the daemon never maps libarchive.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace crilet::cli {

// Each member has the type of libarchive's function of the same name without `archive_` (archive.h's own
// declarations, so a mismatch does not compile). Why loaded rather than linked: libarchive brings libxml2 and
// ICU, about 1.1 MB of RSS in every crilet process, and only `crilet cp` uses it (BENCHMARKS.md). One list
// makes both the table's members and its loader's lookups.
#define CRILET_LIBARCHIVE_FUNCTIONS(X) \
  X(write_new) \
  X(write_set_format_pax_restricted) \
  X(write_open_fd) \
  X(write_header) \
  X(write_data) \
  X(write_close) \
  X(read_new) \
  X(read_support_format_tar) \
  X(read_support_format_gnutar) \
  X(read_open_fd) \
  X(read_next_header) \
  X(read_data_block) \
  X(free) \
  X(error_string) \
  X(entry_new) \
  X(entry_free) \
  X(entry_copy_stat) \
  X(entry_set_pathname) \
  X(entry_pathname) \
  X(entry_set_uname) \
  X(entry_set_gname) \
  X(entry_set_symlink) \
  X(entry_symlink) \
  X(entry_set_size) \
  X(entry_filetype)

struct LibArchive {
#define CRILET_LIBARCHIVE_MEMBER(name) decltype(&::archive_##name) name;
  CRILET_LIBARCHIVE_FUNCTIONS(CRILET_LIBARCHIVE_MEMBER)
#undef CRILET_LIBARCHIVE_MEMBER
};

// The library, loaded once (thread-safe); null with *error naming the library and the package when it is
// missing or lacks a function.
const LibArchive* LoadLibArchive(std::string* error);

}  // namespace crilet::cli
