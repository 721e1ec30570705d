// Finding the local crilet's manifest directory and status server.
#include "cli/daemon_locator.h"

#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <cstdlib>

#include "cli/node_info.h"
#include "cli/status_client.h"
#include "manifests/kubelet_config.h"

namespace crilet::cli {

void AddDaemonLookupFlags(CLI::App* app, std::string* manifest_dir, std::string* server, std::string* config) {
  app->add_option("--manifest-dir", *manifest_dir,
                  "The crilet's manifest directory (its --pod-manifest-path) [default: the --config's staticPodPath, "
                  "else the daemon's /configz]");
  AddServerConfigFlags(app, server, config);
}

void AddServerConfigFlags(CLI::App* app, std::string* server, std::string* config) {
  app->add_option("--server", *server,
                  "The crilet's status server [default: $CRILET_SERVER, else the --config's address and "
                  "readOnlyPort, else http://127.0.0.1:10255]");
  app->add_option("--config", *config,
                  "The crilet's KubeletConfiguration (staticPodPath, address, readOnlyPort; with readOnlyPort: 0 "
                  "the runtime and manifests it names are read directly) [default: /etc/crilet/config.yaml if present]");
}

std::string ServerFromConfig(const ConfigFacts& facts) {
  long port = facts.read_only_port.value_or(10255);
  if (port == 0) return "";
  std::string host = facts.address.value_or("127.0.0.1");
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

Status LocateDaemon(const LocatorInputs& in, const LocatorIo& io, bool need_manifest_dir, DaemonLocation* out) {
  *out = DaemonLocation{};
  std::string config_path = in.config_flag;
  const bool server_given = !in.server_flag.empty();
  if (config_path.empty() && !server_given && in.default_config_exists) config_path = kDefaultConfigPath;
  ConfigFacts facts;
  bool have_config = false;
  // The config is read only when it decides something: a flag for both answers makes it irrelevant.
  if (!config_path.empty() && (!server_given || (need_manifest_dir && in.manifest_dir_flag.empty()))) {
    if (Status s = io.read_config(config_path, &facts); !s.ok()) {
      return Status::InvalidArgument("cannot read the kubelet config " + config_path + ": " + s.message());
    }
    have_config = true;
    out->config_file = config_path;
  }
  if (server_given) {
    out->server = in.server_flag;
  } else if (have_config) {
    out->server = ServerFromConfig(facts);
  } else {
    out->server = in.default_server;
  }
  if (!need_manifest_dir) return Status::Ok();
  if (!in.manifest_dir_flag.empty()) {
    out->manifest_dir = in.manifest_dir_flag;
    out->manifest_dir_from = "--manifest-dir";
    return Status::Ok();
  }
  if (have_config) {
    if (!facts.static_pod_path || facts.static_pod_path->empty()) {
      return Status::InvalidArgument("cannot find the manifest directory: " + config_path +
                                     " has no staticPodPath; set it, or pass --manifest-dir");
    }
    out->manifest_dir = *facts.static_pod_path;
    out->manifest_dir_from = config_path;
    return Status::Ok();
  }
  const std::string& server = out->server;
  std::string path;
  Status s = io.ask_configz(server, &path);
  if (s.ok() && !path.empty()) {
    out->manifest_dir = path;
    out->manifest_dir_from = server + "/configz";
    return Status::Ok();
  }
  std::string why = s.ok() ? "it has no staticPodPath (is it reading a --manifest-url only?)" : s.message();
  if (server_given) {
    return Status::Unavailable("cannot find the manifest directory: no --manifest-dir, and crilet at " + server +
                               " did not tell it (/configz: " + why + ")");
  }
  return Status::Unavailable("cannot find the manifest directory: no --manifest-dir, no " + std::string(kDefaultConfigPath) +
                             ", and no crilet answering on " + server + " (/configz: " + why + ")");
}

std::string DaemonNodeName(const std::string& server) {
  nlohmann::json j;
  if (!server.empty() && GetJson(server, "/configz", &j).ok()) {
    std::string name = j.value("kubeletconfig", nlohmann::json::object()).value("nodeName", "");
    if (!name.empty()) return name;
  }
  return DefaultNodeName();
}

LocatorIo RealLocatorIo() {
  LocatorIo io;
  io.read_config = [](const std::string& path, ConfigFacts* out) {
    manifests::KubeletConfigFile file;
    std::vector<std::string> warnings;
    if (Status s = manifests::LoadKubeletConfig(path, &file, &warnings); !s.ok()) return s;
    out->static_pod_path = file.static_pod_path;
    out->address = file.address;
    if (file.read_only_port) out->read_only_port = static_cast<long>(*file.read_only_port);
    return Status::Ok();
  };
  io.ask_configz = [](const std::string& server, std::string* static_pod_path) {
    nlohmann::json j;
    if (Status s = GetJson(server, "/configz", &j); !s.ok()) return s;
    const auto config = j.value("kubeletconfig", nlohmann::json::object());
    *static_pod_path = config.value("staticPodPath", "");
    return Status::Ok();
  };
  return io;
}

LocatorInputs GatherLocatorInputs(const std::string& manifest_dir_flag, const std::string& server_flag,
                                  const std::string& config_flag) {
  LocatorInputs in;
  in.manifest_dir_flag = manifest_dir_flag;
  in.server_flag = server_flag;
  if (in.server_flag.empty()) {
    const char* env = std::getenv("CRILET_SERVER");
    if (env && *env) in.server_flag = env;
  }
  in.config_flag = config_flag;
  struct stat info {};
  in.default_config_exists = ::stat(kDefaultConfigPath, &info) == 0;
  in.default_server = "http://127.0.0.1:10255";
  return in;
}

}  // namespace crilet::cli
