// libarchive (loaded on first use) for crilet cp: a kubectl-shaped tar writer and a reader that never writes outside its target.
#include "cli/tar_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "cli/cp_paths.h"
#include "cli/libarchive_api.h"
#include "common/go_quote.h"

namespace crilet::cli {
namespace {

struct ArchiveFree {
  decltype(LibArchive::free) free;
  void operator()(archive* a) const { free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;
struct EntryFree {
  decltype(LibArchive::entry_free) free;
  void operator()(archive_entry* e) const { free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

Status ArchiveError(const LibArchive& la, archive* a, const std::string& what) {
  const char* e = la.error_string(a);
  return Status::Internal(what + ": " + (e ? e : "archive error"));
}

Status WriteOne(const LibArchive& la, archive* a, const std::string& path, const std::string& name) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return Status::NotFound(path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) names.push_back(e.path().filename().string());
    if (ec) return Status::Internal(path + ": " + ec.message());
    std::sort(names.begin(), names.end());  // Go's os.ReadDir order
    if (names.empty()) {
      EntryPtr e(la.entry_new(), {la.entry_free});
      la.entry_copy_stat(e.get(), &st);
      la.entry_set_pathname(e.get(), name.c_str());
      if (la.write_header(a, e.get()) != ARCHIVE_OK) return ArchiveError(la, a, path);
    }
    for (const auto& n : names) {
      if (Status s = WriteOne(la, a, path + "/" + n, name + "/" + n); !s.ok()) return s;
    }
    return Status::Ok();
  }
  EntryPtr e(la.entry_new(), {la.entry_free});
  la.entry_copy_stat(e.get(), &st);
  la.entry_set_pathname(e.get(), name.c_str());
  la.entry_set_uname(e.get(), "");
  la.entry_set_gname(e.get(), "");
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return Status::Internal(path + ": " + std::strerror(errno));
    target.resize(static_cast<size_t>(n));
    la.entry_set_symlink(e.get(), target.c_str());
    la.entry_set_size(e.get(), 0);
    if (la.write_header(a, e.get()) != ARCHIVE_OK) return ArchiveError(la, a, path);
    return Status::Ok();
  }
  if (!S_ISREG(st.st_mode)) return Status::Ok();  // devices, sockets, fifos: kubectl's writer would block or fail
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal(path + ": " + std::strerror(errno));
  if (la.write_header(a, e.get()) != ARCHIVE_OK) {
    close(fd);
    return ArchiveError(la, a, path);
  }
  char buf[64 * 1024];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    if (la.write_data(a, buf, static_cast<size_t>(n)) < 0) {
      close(fd);
      return ArchiveError(la, a, path);
    }
  }
  close(fd);
  return n < 0 ? Status::Internal(path + ": " + std::strerror(errno)) : Status::Ok();
}

}  // namespace

Status WriteTar(const std::string& src, const std::string& entry_name, int out_fd) {
  std::string error;
  const LibArchive* la = LoadLibArchive(&error);
  if (la == nullptr) return Status::FailedPrecondition(error);
  ArchivePtr a(la->write_new(), {la->free});
  la->write_set_format_pax_restricted(a.get());  // ustar, with pax headers only for long names
  if (la->write_open_fd(a.get(), out_fd) != ARCHIVE_OK) return ArchiveError(*la, a.get(), "tar");
  std::string clean = src.size() > 1 && src.back() == '/' ? src.substr(0, src.size() - 1) : src;
  if (Status s = WriteOne(*la, a.get(), clean, entry_name); !s.ok()) return s;
  if (la->write_close(a.get()) != ARCHIVE_OK) return ArchiveError(*la, a.get(), "tar");
  return Status::Ok();
}

Status ExtractTar(int in_fd, const std::string& prefix, const std::string& dest, std::vector<std::string>* warnings) {
  std::string error;
  const LibArchive* la = LoadLibArchive(&error);
  if (la == nullptr) return Status::FailedPrecondition(error);
  ArchivePtr a(la->read_new(), {la->free});
  la->read_support_format_tar(a.get());
  la->read_support_format_gnutar(a.get());
  if (la->read_open_fd(a.get(), in_fd, 64 * 1024) != ARCHIVE_OK) return ArchiveError(*la, a.get(), "reading the tar");
  archive_entry* e = nullptr;
  int rc;
  while ((rc = la->read_next_header(a.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    std::string name = la->entry_pathname(e) ? la->entry_pathname(e) : "";
    if (name.rfind(prefix, 0) != 0) return Status::Internal("tar contents corrupted");
    std::string target;
    if (!LocalTarget(dest, prefix, name, &target)) {
      warnings->push_back("warning: file " + GoQuote(target) + " is outside target destination, skipping");
      continue;
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(target).parent_path().empty()
                                            ? std::filesystem::path(".")
                                            : std::filesystem::path(target).parent_path(),
                                        ec);
    mode_t type = la->entry_filetype(e);
    if (type == AE_IFDIR) {
      std::filesystem::create_directories(target, ec);
      if (ec) return Status::Internal(target + ": " + ec.message());
      continue;
    }
    if (type == AE_IFLNK) {
      const char* link = la->entry_symlink(e);
      warnings->push_back("warning: skipping symlink: " + GoQuote(target) + " -> " + GoQuote(link ? link : ""));
      continue;
    }
    if (type != AE_IFREG) continue;
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) return Status::Internal("open " + target + ": " + std::strerror(errno));
    const void* buf;
    size_t size;
    la_int64_t offset;
    int r;
    while ((r = la->read_data_block(a.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
      const char* p = static_cast<const char*>(buf);
      while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
          close(fd);
          return Status::Internal("write " + target + ": " + std::strerror(errno));
        }
        p += n;
        size -= static_cast<size_t>(n);
      }
    }
    close(fd);
    if (r != ARCHIVE_EOF) return ArchiveError(*la, a.get(), target);
  }
  if (rc != ARCHIVE_EOF) return ArchiveError(*la, a.get(), "reading the tar");
  return Status::Ok();
}

}  // namespace crilet::cli
