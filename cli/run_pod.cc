// kubectl run's pod generator (run-pod/v1).
#include "cli/run_pod.h"

#include <cctype>

namespace crilet::cli {

bool IsKubectlRun(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == "--image" || a.rfind("--image=", 0) == 0) return true;
  }
  return false;
}

Status BuildRunPod(const RunPodFlags& f, nlohmann::json* pod) {
  if (f.name.empty()) return Status::InvalidArgument("NAME is required for run");
  if (f.image.empty()) return Status::InvalidArgument("--image is required");
  if (f.restart != "Always" && f.restart != "OnFailure" && f.restart != "Never") {
    return Status::InvalidArgument("invalid restart policy: " + f.restart);
  }
  nlohmann::json labels = nlohmann::json::object();
  if (f.labels.empty()) {
    labels["run"] = f.name;
  } else {
    size_t start = 0;
    while (start <= f.labels.size()) {
      size_t comma = f.labels.find(',', start);
      std::string pair = f.labels.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("invalid label spec: " + pair);
      labels[pair.substr(0, eq)] = pair.substr(eq + 1);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  nlohmann::json container = {{"name", f.name}, {"image", f.image}};
  if (!f.image_pull_policy.empty()) container["imagePullPolicy"] = f.image_pull_policy;
  if (!f.words.empty()) container[f.command ? "command" : "args"] = f.words;
  if (!f.env.empty()) {
    nlohmann::json env = nlohmann::json::array();
    for (const auto& e : f.env) {
      auto eq = e.find('=');
      if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("invalid env: " + e);
      env.push_back({{"name", e.substr(0, eq)}, {"value", e.substr(eq + 1)}});
    }
    container["env"] = env;
  }
  if (!f.port.empty()) {
    bool digits = f.port.size() <= 5;
    for (char c : f.port) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    int port = digits ? std::stoi(f.port) : 0;
    if (port < 1 || port > 65535) return Status::InvalidArgument("--port must be a number from 1 to 65535, not " + f.port);
    container["ports"] = nlohmann::json::array({{{"containerPort", port}}});
  }
  nlohmann::json metadata = {{"name", f.name}, {"labels", labels}};
  if (!f.ns.empty()) metadata["namespace"] = f.ns;
  *pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", metadata},
      {"spec",
       {{"containers", nlohmann::json::array({container})}, {"dnsPolicy", "ClusterFirst"}, {"restartPolicy", f.restart}}},
  };
  return Status::Ok();
}

}  // namespace crilet::cli
