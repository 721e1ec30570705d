// kubectl cp's file specs and path arithmetic, as pure functions (Go's path.Clean and filepath.Rel rules).
#include "cli/cp_paths.h"

#include <vector>

namespace crilet::cli {
namespace {

const char kFormatError[] = "filespec must match the canonical format: [[namespace/]pod:]file/path";

std::string StripTrailingSlash(std::string p) {
  if (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string StripLeadingSlashes(std::string p) {
  size_t i = p.find_first_not_of('/');
  return i == std::string::npos ? "" : p.substr(i);
}

std::string StripPathShortcuts(std::string p) {
  while (p.rfind("../", 0) == 0) p = p.substr(3);
  if (p == "." || p == "..") p.clear();
  return p;
}

std::string Dir(const std::string& p) {
  std::string c = CleanPath(p);
  size_t slash = c.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : c.substr(0, slash);
}

std::string Base(const std::string& p) {
  std::string c = CleanPath(p);
  if (c == "/") return "/";
  size_t slash = c.rfind('/');
  return slash == std::string::npos ? c : c.substr(slash + 1);
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return CleanPath(b);
  if (b.empty()) return CleanPath(a);
  return CleanPath(a + "/" + b);
}

}  // namespace

std::string CleanPath(const std::string& p) {
  if (p.empty()) return ".";
  bool rooted = p[0] == '/';
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string part = p.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!rooted) parts.push_back("..");
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
  return out.empty() ? "." : out;
}

Status ExtractFileSpec(const std::string& arg, FileSpec* out) {
  *out = FileSpec{};
  size_t colon = arg.find(':');
  if (colon == 0) return Status::InvalidArgument(kFormatError);
  if (colon == std::string::npos) {
    out->path = arg;
    return Status::Ok();
  }
  std::string pod = arg.substr(0, colon);
  out->path = StripTrailingSlash(arg.substr(colon + 1));
  size_t slash = pod.find('/');
  if (slash == std::string::npos) {
    out->pod = pod;
  } else if (pod.find('/', slash + 1) == std::string::npos) {
    out->ns = pod.substr(0, slash);
    out->pod = pod.substr(slash + 1);
  } else {
    return Status::InvalidArgument(kFormatError);
  }
  return Status::Ok();
}

Status CheckCopyPair(const FileSpec& src, const FileSpec& dest) {
  if (!src.pod.empty() && !dest.pod.empty()) return Status::InvalidArgument("one of src or dest must be a local file specification");
  if (src.path.empty() || dest.path.empty()) return Status::InvalidArgument("filepath can not be empty");
  if (src.pod.empty() && dest.pod.empty()) return Status::InvalidArgument("one of src or dest must be a remote file specification");
  return Status::Ok();
}

ToPodPlan PlanCopyToPod(const std::string& local_src, const std::string& remote_dest, bool dest_is_dir) {
  std::string dest = StripTrailingSlash(remote_dest);
  if (dest_is_dir) dest = Join(dest, Base(local_src));
  ToPodPlan plan;
  plan.entry_name = Base(dest);
  plan.extract_dir = Dir(dest);
  return plan;
}

std::string CopyFromPodPrefix(const std::string& remote_src) {
  return StripPathShortcuts(CleanPath(StripLeadingSlashes(remote_src)));
}

bool LocalTarget(const std::string& dest, const std::string& prefix, const std::string& entry, std::string* out) {
  *out = Join(dest, entry.substr(prefix.size()));
  // filepath.Rel(dest, target) must not climb out: both are clean, so compare component-wise.
  std::string base = CleanPath(dest);
  if (*out == base) return true;
  if (base == ".") return out->rfind("../", 0) != 0 && *out != ".." && (*out)[0] != '/';
  std::string with_slash = base == "/" ? "/" : base + "/";
  return out->rfind(with_slash, 0) == 0;
}

}  // namespace crilet::cli
