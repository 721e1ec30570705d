// kubelet's AtomicWriter layout on a temp dir: ..data swap, user-visible symlinks, stale keys, no-op when unchanged.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "agent/atomic_writer.h"

using namespace crilet;
using namespace crilet::agent;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "crilet-aw-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int Mode(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

}  // namespace

TEST_CASE("atomic writer: files live in a version dir reached through ..data symlinks", "[atomic_writer]") {
  TempDir t;
  fs::path dir = t.path / "vol";
  bool changed = false;
  Projection p{{"a.conf", {"alpha", 0644}}, {"sub/b", {"beta", 0400}}};
  REQUIRE(WriteAtomically(dir.string(), p, "2026_12_07_07_00_00.000000001", &changed).ok());
  CHECK(changed);
  std::string ver = CurrentVersionDir(dir.string());
  CHECK(ver.rfind("..2026_12_07_07_00_00.000000001.", 0) == 0);
  CHECK(fs::is_symlink(fs::symlink_status(dir / "..data")));
  CHECK(fs::read_symlink(dir / "a.conf") == "..data/a.conf");
  CHECK(fs::read_symlink(dir / "sub") == "..data/sub");
  CHECK(Read(dir / "a.conf") == "alpha");
  CHECK(Read(dir / "sub/b") == "beta");
  CHECK(Mode(dir / ver / "sub/b") == 0400);
  CHECK(!fs::exists(fs::symlink_status(dir / "..data_tmp")));
}

TEST_CASE("atomic writer: an update swaps versions, removes stale keys and the old version", "[atomic_writer]") {
  TempDir t;
  fs::path dir = t.path / "vol";
  bool changed = false;
  REQUIRE(WriteAtomically(dir.string(), {{"a", {"1", 0644}}, {"gone", {"x", 0644}}}, "s1", &changed).ok());
  std::string v1 = CurrentVersionDir(dir.string());
  REQUIRE(WriteAtomically(dir.string(), {{"a", {"2", 0644}}, {"new", {"n", 0644}}}, "s2", &changed).ok());
  CHECK(changed);
  std::string v2 = CurrentVersionDir(dir.string());
  CHECK(v2 != v1);
  CHECK(!fs::exists(dir / v1));
  CHECK(Read(dir / "a") == "2");
  CHECK(Read(dir / "new") == "n");
  CHECK(!fs::exists(fs::symlink_status(dir / "gone")));
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.path().filename() != "" ? 1 : 0;
  CHECK(entries == 4);  // ..data, the version dir, a, new
}

TEST_CASE("atomic writer: same payload writes nothing, a mode change alone writes", "[atomic_writer]") {
  TempDir t;
  fs::path dir = t.path / "vol";
  bool changed = false;
  Projection p{{"a", {"1", 0644}}};
  REQUIRE(WriteAtomically(dir.string(), p, "s1", &changed).ok());
  std::string v1 = CurrentVersionDir(dir.string());
  REQUIRE(WriteAtomically(dir.string(), p, "s2", &changed).ok());
  CHECK(!changed);
  CHECK(CurrentVersionDir(dir.string()) == v1);
  p["a"].mode = 0600;
  REQUIRE(WriteAtomically(dir.string(), p, "s3", &changed).ok());
  CHECK(changed);
  CHECK(Mode(dir / "a") == 0600);
}

TEST_CASE("atomic writer: an empty payload leaves only ..data and an empty version", "[atomic_writer]") {
  TempDir t;
  fs::path dir = t.path / "vol";
  bool changed = false;
  REQUIRE(WriteAtomically(dir.string(), {{"a", {"1", 0644}}}, "s1", &changed).ok());
  REQUIRE(WriteAtomically(dir.string(), {}, "s2", &changed).ok());
  CHECK(changed);
  CHECK(!fs::exists(fs::symlink_status(dir / "a")));
  CHECK(fs::is_empty(dir / CurrentVersionDir(dir.string())));
}
