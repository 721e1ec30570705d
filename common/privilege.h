/// Advice for an operation refused for lack of privilege: one clause telling a non-root user to run as root.
#pragma once

#include <cstdint>
#include <string>

namespace crilet {

// "; run as root (e.g. with sudo): <what> is root's" when `err` is EACCES or EPERM and `euid` is not 0; else "".
// Appended to the error's own sentence, so the operator sees one line that says what to do, as kubelet and
// crictl users expect to be told.
std::string RootAdvice(int err, uint32_t euid, const std::string& what);

// The same for this process (geteuid()).
std::string RootAdvice(int err, const std::string& what);

}  // namespace crilet
