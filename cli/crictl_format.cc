// crictl's formatting helpers.
#include "cli/crictl_format.h"

#include <algorithm>
#include <cstdio>

namespace crilet::cli {

std::string CrictlAgo(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  const int64_t seconds = duration_cast<std::chrono::seconds>(d).count();
  const int64_t minutes = duration_cast<std::chrono::minutes>(d).count();
  const int64_t hours = static_cast<int64_t>(duration<double, std::ratio<3600>>(d).count() + 0.5);
  std::string s;
  if (seconds < 1) s = "Less than a second";
  else if (seconds == 1) s = "1 second";
  else if (seconds < 60) s = std::to_string(seconds) + " seconds";
  else if (minutes == 1) s = "About a minute";
  else if (minutes < 60) s = std::to_string(minutes) + " minutes";
  else if (hours == 1) s = "About an hour";
  else if (hours < 48) s = std::to_string(hours) + " hours";
  else if (hours < 24 * 7 * 2) s = std::to_string(hours / 24) + " days";
  else if (hours < 24 * 30 * 2) s = std::to_string(hours / 24 / 7) + " weeks";
  else if (hours < 24 * 365 * 2) s = std::to_string(hours / 24 / 30) + " months";
  else s = std::to_string(duration_cast<std::chrono::hours>(d).count() / 24 / 365) + " years";
  return s + " ago";
}

std::string HumanSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t i = 0;
  while (size >= 1000.0 && i < std::size(kUnits) - 1) {
    size /= 1000.0;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", size, kUnits[i]);
  return buf;
}

std::string ShortImageId(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 13);
}

std::pair<std::string, std::string> SplitRepoTag(const std::string& repo_tag) {
  size_t colon = repo_tag.rfind(':');
  size_t slash = repo_tag.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {repo_tag, "<none>"};
  return {repo_tag.substr(0, colon), repo_tag.substr(colon + 1)};
}

std::string CrictlColumns(const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> width;
  for (const auto& line : cells) {
    if (width.size() < line.size()) width.resize(line.size(), 0);
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(std::max<size_t>(20, width[i] + 3) - line[i].size(), ' ');
    }
    out += "\n";
  }
  return out;
}

const std::vector<std::string>& CriVerbs() {
  static const std::vector<std::string> kVerbs = {"pods", "ps", "images", "inspect", "inspectp", "exec", "logs", "stop",
                                                  "rm", "stopp", "rmp", "pull", "stats", "info", "version"};
  return kVerbs;
}

}  // namespace crilet::cli
