// crilet cp's tar streams through the libarchive loaded on first use: a tree round trip, hostile entries skipped.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/libarchive_api.h"
#include "cli/tar_archive.h"

namespace fs = std::filesystem;
using namespace crilet::cli;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "crilet-tar-XXXXXX").string();
    path = mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An unnamed temporary file holding a tar, rewound for reading.
int TarFile() { return open(fs::temp_directory_path().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600); }

}  // namespace

TEST_CASE("libarchive is loaded on first use, with every function cp needs", "[cp]") {
  std::string error;
  const LibArchive* la = LoadLibArchive(&error);
  REQUIRE(la != nullptr);
  CHECK(error.empty());
  CHECK(la->write_new != nullptr);
  CHECK(la->entry_filetype != nullptr);
  CHECK(LoadLibArchive(&error) == la);  // loaded once
}

TEST_CASE("a tree written by WriteTar comes back whole through ExtractTar", "[cp]") {
  TempDir src, dest;
  Write(src.path / "data" / "a.txt", "alpha");
  Write(src.path / "data" / "sub" / "b.txt", "beta");
  fs::create_directories(src.path / "data" / "empty");
  fs::create_symlink("a.txt", src.path / "data" / "link");
  int fd = TarFile();
  REQUIRE(fd >= 0);
  REQUIRE(WriteTar((src.path / "data").string(), "tmp/data", fd).ok());
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  std::vector<std::string> warnings;
  REQUIRE(ExtractTar(fd, "tmp/data", (dest.path / "out").string(), &warnings).ok());
  close(fd);
  CHECK(Read(dest.path / "out" / "a.txt") == "alpha");
  CHECK(Read(dest.path / "out" / "sub" / "b.txt") == "beta");
  CHECK(fs::is_directory(dest.path / "out" / "empty"));
  // kubectl skips symlinks from a pod, with a warning naming it.
  CHECK_FALSE(fs::exists(fs::symlink_status(dest.path / "out" / "link")));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("skipping symlink") != std::string::npos);
}

TEST_CASE("an entry that would land outside the destination is skipped with kubectl's warning", "[cp]") {
  TempDir dest;
  std::string error;
  const LibArchive* la = LoadLibArchive(&error);
  REQUIRE(la != nullptr);
  int fd = TarFile();
  REQUIRE(fd >= 0);
  // A hostile tar, as a container could print it: one entry climbing out of the prefix, one good entry.
  archive* a = la->write_new();
  la->write_set_format_pax_restricted(a);
  REQUIRE(la->write_open_fd(a, fd) == ARCHIVE_OK);
  for (const char* name : {"tmp/x/../../../escaped.txt", "tmp/x/ok.txt"}) {
    archive_entry* e = la->entry_new();
    la->entry_set_pathname(e, name);
    struct stat st {};
    st.st_mode = S_IFREG | 0644;
    st.st_size = 2;
    la->entry_copy_stat(e, &st);
    REQUIRE(la->write_header(a, e) == ARCHIVE_OK);
    REQUIRE(la->write_data(a, "hi", 2) == 2);
    la->entry_free(e);
  }
  REQUIRE(la->write_close(a) == ARCHIVE_OK);
  la->free(a);
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  std::vector<std::string> warnings;
  REQUIRE(ExtractTar(fd, "tmp/x", (dest.path / "in").string(), &warnings).ok());
  close(fd);
  CHECK(Read(dest.path / "in" / "ok.txt") == "hi");
  CHECK_FALSE(fs::exists(dest.path / "escaped.txt"));
  CHECK_FALSE(fs::exists(dest.path.parent_path() / "escaped.txt"));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("is outside target destination, skipping") != std::string::npos);
}
