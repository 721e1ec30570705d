/// crictl's words and layout for `crilet cri`: ages, sizes, states, image columns and its tabwriter; pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace crilet::cli {

// docker/go-units HumanDuration + " ago", as crictl's CREATED column: "Less than a second ago", "5 seconds ago",
// "About a minute ago", "3 hours ago", "2 weeks ago" ...
std::string CrictlAgo(std::chrono::nanoseconds d);

// go-units HumanSize (decimal, 4 significant digits): 4270000 -> "4.27MB", 999 -> "999B".
std::string HumanSize(uint64_t bytes);

// An image ID or digest as crictl shows it: without "sha256:", the first 13 characters.
std::string ShortImageId(const std::string& id);

// A repo tag split as crictl images does: "docker.io/library/busybox:1.36" -> {"docker.io/library/busybox",
// "1.36"}; no tag -> {repo, "<none>"}.
std::pair<std::string, std::string> SplitRepoTag(const std::string& repo_tag);

// crictl's tabwriter (minimum width 20, padding 3): every column but the last padded to max(20, widest + 3).
std::string CrictlColumns(const std::vector<std::vector<std::string>>& cells);

// The known verbs of `crilet cri`, for the unknown-verb error.
const std::vector<std::string>& CriVerbs();

}  // namespace crilet::cli
