/// The file operations of the atomic writer: version dir, ..data swap, user-visible symlinks, stale removal.
#include "agent/atomic_writer.h"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace crilet::agent {
namespace {

namespace fs = std::filesystem;
constexpr const char* kDataLink = "..data";
constexpr const char* kDataTmpLink = "..data_tmp";

std::string TopComponent(const std::string& rel) { return rel.substr(0, rel.find('/')); }

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// True when version dir `ver` holds exactly `payload`: same regular files, bytes and permission bits.
bool SameContent(const fs::path& ver, const Projection& payload) {
  std::error_code ec;
  size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(ver, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    ++files;
    std::string rel = fs::relative(it->path(), ver).string();
    auto want = payload.find(rel);
    if (want == payload.end()) return false;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || static_cast<int32_t>(st.st_mode & 07777) != want->second.mode) {
      return false;
    }
    std::string have;
    if (!ReadFile(it->path(), &have) || have != want->second.data) return false;
  }
  return !ec && files == payload.size();
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

Status WriteVersion(const fs::path& ver, const Projection& payload) {
  for (const auto& [rel, f] : payload) {
    fs::path p = ver / rel;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return Status::Internal("create " + p.parent_path().string() + ": " + ec.message());
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out.write(f.data.data(), static_cast<std::streamsize>(f.data.size()));
      out.flush();
      if (!out) return Status::Internal("write " + p.string() + " failed");
    }
    if (::chmod(p.c_str(), static_cast<mode_t>(f.mode)) != 0) return Errno("chmod", p.string());
  }
  return Status::Ok();
}

}  // namespace

std::string VersionStamp(TimePoint t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d_%02d_%02d_%02d_%02d_%02d.%09lld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns % 1000000000));
  return buf;
}

std::string CurrentVersionDir(const std::string& dir) {
  std::error_code ec;
  fs::path target = fs::read_symlink(fs::path(dir) / kDataLink, ec);
  return ec ? "" : target.string();
}

Status WriteAtomically(const std::string& dir, const Projection& payload, const std::string& stamp, bool* changed) {
  *changed = false;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("create " + dir + ": " + ec.message());
  const fs::path base(dir);
  std::string old = CurrentVersionDir(dir);
  if (!old.empty() && SameContent(base / old, payload)) return Status::Ok();

  std::string tmpl = (base / (".." + stamp + ".XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) return Errno("mkdtemp", tmpl);
  fs::path ver(tmpl);
  ::chmod(ver.c_str(), 0755);
  if (Status s = WriteVersion(ver, payload); !s.ok()) {
    fs::remove_all(ver, ec);
    return s;
  }
  // User-visible symlinks first: they point through ..data, so they are valid once the swap is done.
  std::set<std::string> tops;
  for (const auto& [rel, f] : payload) tops.insert(TopComponent(rel));
  for (const auto& top : tops) {
    fs::path link = base / top;
    if (fs::is_symlink(fs::symlink_status(link, ec))) continue;
    if (::symlink((std::string(kDataLink) + "/" + top).c_str(), link.c_str()) != 0) return Errno("symlink", link.string());
  }
  fs::path tmp_link = base / kDataTmpLink;
  fs::remove(tmp_link, ec);
  if (::symlink(ver.filename().c_str(), tmp_link.c_str()) != 0) return Errno("symlink", tmp_link.string());
  if (::rename(tmp_link.c_str(), (base / kDataLink).c_str()) != 0) return Errno("rename", tmp_link.string());
  *changed = true;

  // Stale user-visible symlinks (paths no longer projected), then the old version.
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0 || tops.count(name)) continue;
    if (fs::is_symlink(entry.symlink_status())) fs::remove(entry.path(), ec);
  }
  if (!old.empty() && old != ver.filename().string()) fs::remove_all(base / old, ec);
  return Status::Ok();
}

}  // namespace crilet::agent
