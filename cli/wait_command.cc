// crilet wait: kubectl wait for pods of the local crilet.
#include "cli/wait_command.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "cli/status_lookup.h"
#include "cli/pod_lookup.h"
#include "common/duration.h"

namespace crilet::cli {

Status WaitForPod(const StatusSource& source, const std::string& ns, const std::string& name, const WaitCondition& c,
                  std::optional<std::chrono::nanoseconds> timeout) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    nlohmann::json j;
    Status s = FindPod(source, ns, name, "", &j);
    if (!s.ok() && !s.IsNotFound()) return s;
    std::optional<nlohmann::json> pod;
    if (s.ok()) pod = std::move(j);
    if (WaitConditionMet(c, pod)) return Status::Ok();
    // kubectl polls its watch; the status server has none, and a fifth of a second is quick enough to see.
    const auto waited = std::chrono::steady_clock::now() - start;
    if (timeout && waited >= *timeout) return Status::DeadlineExceeded("timed out waiting for the condition on pods/" + name);
    auto step = std::chrono::nanoseconds(std::chrono::milliseconds(200));
    if (timeout) step = std::min(step, *timeout - std::chrono::duration_cast<std::chrono::nanoseconds>(waited));
    std::this_thread::sleep_for(step);
  }
}

int WaitCommand(int argc, char** argv) {
  CLI::App app{
      "crilet wait: wait for a pod of the local crilet to meet a condition (like kubectl wait).\n"
      "  crilet wait --for=condition=Ready pod/web [--timeout 30s]\n"
      "  crilet wait --for=delete pod/web\n"
      "  crilet wait --for=jsonpath='{.status.phase}'=Succeeded pod/job\n"
      "A pod the crilet does not list yet is waited for (it may just have been applied), except with --for=delete."};
  app.name("crilet wait");
  std::string what, for_text, ns = "default", timeout_text = "30s";
  StatusFlags daemon;
  app.add_option("resource", what, "pod/NAME (the manifest name or the full name NAME-<node>)")->required();
  app.add_option("--for", for_text, "condition=Ready[=True|False], delete, or jsonpath='{.path}'=VALUE")->required();
  app.add_option("-n,--namespace", ns, "The pod's namespace")->capture_default_str();
  app.add_option("--timeout", timeout_text, "How long to wait (0 checks once), e.g. 30s, 5m")->capture_default_str();
  AddStatusFlags(&app, &daemon);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  WaitCondition c;
  if (Status s = ParseWaitFor(for_text, &c); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::string name = what;
  for (const char* prefix : {"pod/", "pods/", "po/"}) {
    if (what.rfind(prefix, 0) == 0) name = what.substr(std::string(prefix).size());
  }
  if (name == what || name.empty()) {
    std::cerr << "error: crilet wait works on pods only: give pod/NAME, not \"" << what << "\"\n";
    return 1;
  }
  std::string why;
  auto timeout = ParseDuration(timeout_text, &why);
  if (!timeout) {
    std::cerr << "error: --timeout: " << why << "\n";
    return 1;
  }
  std::unique_ptr<StatusSource> source;
  if (Status s = OpenStatusSource(daemon, &source); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  Status s = WaitForPod(*source, ns, name, c, timeout);
  if (s.IsDeadlineExceeded()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  if (!s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::cout << "pod/" << name << " condition met\n";
  return 0;
}

}  // namespace crilet::cli
