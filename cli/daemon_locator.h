/// Where the local crilet keeps its manifests and serves its status: from flags, a KubeletConfiguration, or the daemon's /configz.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

namespace CLI {
class App;
}

namespace crilet::cli {

// The flags apply, delete and kubectl's run take to find the daemon: --manifest-dir, --server and --config.
void AddDaemonLookupFlags(CLI::App* app, std::string* manifest_dir, std::string* server, std::string* config);
// --server and --config alone, as every command that reads the daemon's state takes them.
void AddServerConfigFlags(CLI::App* app, std::string* server, std::string* config);

inline constexpr const char* kDefaultConfigPath = "/etc/crilet/config.yaml";

// What the user and the machine say, gathered before deciding.
struct LocatorInputs {
  std::string manifest_dir_flag;   // --manifest-dir ("" = not given)
  std::string server_flag;         // --server, or $CRILET_SERVER ("" = neither)
  std::string config_flag;         // --config FILE ("" = not given)
  bool default_config_exists = false;  // /etc/crilet/config.yaml is there
  std::string default_server;      // http://127.0.0.1:10255
};

// What a KubeletConfiguration file says (only the fields that locate the daemon).
struct ConfigFacts {
  std::optional<std::string> static_pod_path;
  std::optional<std::string> address;
  std::optional<long> read_only_port;
};

struct DaemonLocation {
  std::string manifest_dir;  // "" when not needed or not found (then `error` says why)
  std::string server;        // "" when the config disables the read-only port
  std::string manifest_dir_from;  // "--manifest-dir", the config file's path, or "<server>/configz"
  std::string config_file;   // the KubeletConfiguration read ("" = none)
};

// I/O the decision may need, injected so that tests give fakes: reading a config file, asking a server's
// /configz for staticPodPath.
struct LocatorIo {
  std::function<Status(const std::string& path, ConfigFacts* out)> read_config;
  std::function<Status(const std::string& server, std::string* static_pod_path)> ask_configz;
};

// The resolution order, for the manifest directory (when `need_manifest_dir`) and the server:
//   1. --manifest-dir / --server (or $CRILET_SERVER);
//   2. --config FILE: its staticPodPath, and address:readOnlyPort;
//   3. with --server given: that daemon's /configz (the user named the daemon, so a config file on the
//      machine, which may describe another one, is not consulted);
//   4. /etc/crilet/config.yaml when it exists;
//   5. the /configz of the daemon at the default server.
// A config file that cannot be read, or a config without staticPodPath, is an error that names it.
Status LocateDaemon(const LocatorInputs& in, const LocatorIo& io, bool need_manifest_dir, DaemonLocation* out);

// "http://127.0.0.1:10255" from a config's address (0.0.0.0 and :: mean this host) and readOnlyPort
// (10255 when unset); "" when the port is 0 (disabled).
std::string ServerFromConfig(const ConfigFacts& facts);

// The node name the daemon at `server` uses (its /configz nodeName), so that apply validates pods with the
// static name they will get; the machine's host name when it does not answer.
std::string DaemonNodeName(const std::string& server);

// The real I/O: manifests::LoadKubeletConfig and GET /configz.
LocatorIo RealLocatorIo();

// The inputs from flags, the environment and the file system.
LocatorInputs GatherLocatorInputs(const std::string& manifest_dir_flag, const std::string& server_flag,
                                  const std::string& config_flag);

}  // namespace crilet::cli
