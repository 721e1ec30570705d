// Reading -f FILE|DIR|URL|- for apply and delete.
#include "cli/manifest_inputs.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <iterator>

#include "manifests/manifest_file.h"
#include "manifests/url_fetch.h"

namespace crilet::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status ReadFile(const std::string& path, std::vector<ManifestInput>* out) {
  std::string data, error;
  struct stat info {};
  if (!manifests::ReadManifestFile(path, &data, &info, &error)) return Status::InvalidArgument(path + ": " + error);
  out->push_back({path, false, std::move(data)});
  return Status::Ok();
}

}  // namespace

bool IsManifestUrl(const std::string& arg) { return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0; }

std::vector<std::string> ManifestFilesOf(std::vector<std::string> names) {
  std::vector<std::string> out;
  for (auto& n : names) {
    if (n.empty() || n[0] == '.') continue;
    if (EndsWith(n, ".yaml") || EndsWith(n, ".yml") || EndsWith(n, ".json")) out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status ReadManifestInputs(const std::vector<std::string>& args, std::vector<ManifestInput>* out) {
  for (const auto& arg : args) {
    if (arg == "-") {
      std::string data{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      out->push_back({"STDIN", false, std::move(data)});
      continue;
    }
    if (IsManifestUrl(arg)) {
      std::string body, error;
      long code = manifests::HttpFetch(arg, {}, std::chrono::seconds(30), &body, &error);
      if (code == 0) return Status::Unavailable(arg + ": " + error);
      if (code != 200) return Status::Unavailable(arg + ": the server answered " + std::to_string(code));
      out->push_back({arg, true, std::move(body)});
      continue;
    }
    struct stat info {};
    if (::stat(arg.c_str(), &info) != 0) {
      return Status::NotFound("the path \"" + arg + "\" does not exist");
    }
    if (!S_ISDIR(info.st_mode)) {
      if (Status s = ReadFile(arg, out); !s.ok()) return s;
      continue;
    }
    DIR* dir = ::opendir(arg.c_str());
    if (!dir) return Status::InvalidArgument(arg + ": cannot list: " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) names.emplace_back(e->d_name);
    ::closedir(dir);
    std::string base = arg;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    for (const auto& n : ManifestFilesOf(std::move(names))) {
      std::string path = base + "/" + n;
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // kubectl skips subdirectories too
      if (Status s = ReadFile(path, out); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace crilet::cli
