/// LibArchive: the libarchive functions crilet cp uses, loaded on first use, so the daemon never maps libarchive.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace crilet::cli {

// Each member has the type of libarchive's function of the same name without `archive_` (archive.h's own
// declarations, so a mismatch does not compile). Why loaded rather than linked: libarchive brings libxml2 and
// ICU, about 1.1 MB of RSS in every crilet process, and only `crilet cp` uses it (BENCHMARKS.md).
struct LibArchive {
  decltype(&::archive_write_new) write_new;
  decltype(&::archive_write_set_format_pax_restricted) write_set_format_pax_restricted;
  decltype(&::archive_write_open_fd) write_open_fd;
  decltype(&::archive_write_header) write_header;
  decltype(&::archive_write_data) write_data;
  decltype(&::archive_write_close) write_close;
  decltype(&::archive_read_new) read_new;
  decltype(&::archive_read_support_format_tar) read_support_format_tar;
  decltype(&::archive_read_support_format_gnutar) read_support_format_gnutar;
  decltype(&::archive_read_open_fd) read_open_fd;
  decltype(&::archive_read_next_header) read_next_header;
  decltype(&::archive_read_data_block) read_data_block;
  decltype(&::archive_free) free;
  decltype(&::archive_error_string) error_string;
  decltype(&::archive_entry_new) entry_new;
  decltype(&::archive_entry_free) entry_free;
  decltype(&::archive_entry_copy_stat) entry_copy_stat;
  decltype(&::archive_entry_set_pathname) entry_set_pathname;
  decltype(&::archive_entry_pathname) entry_pathname;
  decltype(&::archive_entry_set_uname) entry_set_uname;
  decltype(&::archive_entry_set_gname) entry_set_gname;
  decltype(&::archive_entry_set_symlink) entry_set_symlink;
  decltype(&::archive_entry_symlink) entry_symlink;
  decltype(&::archive_entry_set_size) entry_set_size;
  decltype(&::archive_entry_filetype) entry_filetype;
};

// The library, loaded once (thread-safe); null with *error naming the library and the package when it is
// missing or lacks a function.
const LibArchive* LoadLibArchive(std::string* error);

}  // namespace crilet::cli
