/// Plain C++ mirrors of the CRI v1 messages crilet uses, so nothing outside cri/ sees generated code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crilet::cri {

using Labels = std::map<std::string, std::string>;

struct VersionInfo {
  std::string version;
  std::string runtime_name;
  std::string runtime_version;
  std::string runtime_api_version;
};

enum class Protocol { kTcp, kUdp, kSctp };

struct PortMapping {
  Protocol protocol = Protocol::kTcp;
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

// POD: the pod's own namespace; CONTAINER: the container's own; NODE: the host's.
enum class NamespaceMode { kPod = 0, kContainer = 1, kNode = 2, kTarget = 3 };

struct NamespaceOptions {
  NamespaceMode network = NamespaceMode::kPod;
  NamespaceMode pid = NamespaceMode::kContainer;
  NamespaceMode ipc = NamespaceMode::kPod;
  std::string target_id;  // the container whose namespace a kTarget mode joins (crilet debug --target)
};

struct SeccompProfile {
  enum class Type { kRuntimeDefault = 0, kUnconfined = 1, kLocalhost = 2 };
  Type type = Type::kUnconfined;
  std::string localhost_ref;
};

struct SandboxMetadata {
  std::string name;
  std::string uid;
  std::string namespace_;
  uint32_t attempt = 0;
};

struct SandboxConfig {
  SandboxMetadata metadata;
  std::string hostname;
  std::string log_directory;
  DnsConfig dns;
  std::vector<PortMapping> port_mappings;
  Labels labels;
  Labels annotations;
  std::string cgroup_parent;
  NamespaceOptions namespaces;
  std::map<std::string, std::string> sysctls;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
  std::optional<SeccompProfile> seccomp;
};

enum class SandboxState { kReady = 0, kNotReady = 1 };

struct Sandbox {
  std::string id;
  SandboxMetadata metadata;
  SandboxState state = SandboxState::kNotReady;
  int64_t created_at = 0;  // Unix nanoseconds
  Labels labels;
  Labels annotations;
};

struct SandboxStatus {
  std::string id;
  SandboxMetadata metadata;
  SandboxState state = SandboxState::kNotReady;
  int64_t created_at = 0;
  std::string ip;
  std::vector<std::string> additional_ips;
  NamespaceOptions namespaces;
  Labels labels;
  Labels annotations;
};

struct SandboxFilter {
  std::string id;
  std::optional<SandboxState> state;
  Labels label_selector;
};

enum class MountPropagation { kPrivate = 0, kHostToContainer = 1, kBidirectional = 2 };

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  MountPropagation propagation = MountPropagation::kPrivate;
};

struct LinuxResources {
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t cpu_shares = 0;
  int64_t memory_limit_in_bytes = 0;
  int64_t oom_score_adj = 0;
};

struct ContainerSecurity {
  std::vector<std::string> add_capabilities;
  std::vector<std::string> drop_capabilities;
  bool privileged = false;
  NamespaceOptions namespaces;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::string run_as_username;
  bool readonly_rootfs = false;
  std::vector<int64_t> supplemental_groups;
  bool no_new_privs = false;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::optional<SeccompProfile> seccomp;
};

struct ContainerConfig {
  std::string name;
  uint32_t attempt = 0;
  std::string image;                 // what to run: kubelet passes the resolved image ID here
  std::string user_specified_image;  // the image as the manifest wrote it
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<std::pair<std::string, std::string>> envs;
  std::vector<Mount> mounts;
  Labels labels;
  Labels annotations;
  std::string log_path;  // relative to the sandbox's log_directory
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;
  LinuxResources resources;
  ContainerSecurity security;
};

enum class ContainerState { kCreated = 0, kRunning = 1, kExited = 2, kUnknown = 3 };
const char* ContainerStateName(ContainerState s);

struct Container {
  std::string id;
  std::string sandbox_id;
  std::string name;
  uint32_t attempt = 0;
  std::string image;
  std::string image_ref;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  Labels labels;
  Labels annotations;
};

struct ContainerStatus {
  std::string id;
  std::string name;
  uint32_t attempt = 0;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;   // Unix nanoseconds; 0 = never
  int64_t started_at = 0;
  int64_t finished_at = 0;
  int32_t exit_code = 0;
  std::string image;
  std::string image_ref;
  std::string reason;   // containerd: Completed, Error, OOMKilled, StartError...
  std::string message;
  Labels labels;
  Labels annotations;
  std::vector<Mount> mounts;
  std::string log_path;  // absolute
  int64_t pid = 0;       // from the verbose info when asked for; 0 = unknown
};

struct ContainerFilter {
  std::string id;
  std::optional<ContainerState> state;
  std::string sandbox_id;
  Labels label_selector;
};

struct ExecResult {
  std::string stdout_data;
  std::string stderr_data;
  int32_t exit_code = 0;
};

// CRI AuthConfig: registry credentials for one PullImage call. Secret: never log or print it.
struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;            // base64 of "username:password"
  std::string server_address;  // empty: the runtime uses it for whichever host it contacts (kubelet sends none)
  std::string identity_token;
  std::string registry_token;
  bool operator==(const AuthConfig&) const = default;
};

struct Image {
  std::string id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  uint64_t size = 0;
  std::optional<int64_t> uid;
  std::string username;
  bool pinned = false;  // the runtime keeps it (its sandbox image, on containerd 1.7+): never garbage collected
};

// One image filesystem as ImageFsInfo reports it.
struct FilesystemUsage {
  std::string mountpoint;
  uint64_t used_bytes = 0;
  uint64_t inodes_used = 0;
};

// --- Status and ListContainerStats (crilet cri info and stats) ---

// CRI RuntimeCondition: RuntimeReady and NetworkReady are the ones kubelet requires.
struct RuntimeCondition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
};

// CRI Status: the conditions, and with verbose the runtime's info map (each value JSON text, as containerd
// sends its config, its CNI state and so on).
struct RuntimeStatusInfo {
  std::vector<RuntimeCondition> conditions;
  std::map<std::string, std::string> info;
};

struct ContainerStatsFilter {
  std::string id;
  std::string sandbox_id;
  Labels label_selector;
};

// CRI ContainerStats: the counters are unset (nullopt) when the runtime does not report them. Timestamps are
// Unix nanoseconds.
struct ContainerStats {
  std::string id;
  std::string name;
  uint32_t attempt = 0;
  Labels labels;
  Labels annotations;
  int64_t cpu_timestamp = 0;
  std::optional<uint64_t> cpu_usage_core_nano_seconds;  // cumulative
  std::optional<uint64_t> cpu_usage_nano_cores;         // averaged over the runtime's sample window
  int64_t memory_timestamp = 0;
  std::optional<uint64_t> memory_working_set_bytes;
  std::optional<uint64_t> memory_available_bytes;
  std::optional<uint64_t> memory_usage_bytes;
  std::optional<uint64_t> memory_rss_bytes;
  std::optional<uint64_t> memory_page_faults;
  std::optional<uint64_t> memory_major_page_faults;
  int64_t writable_layer_timestamp = 0;
  std::string writable_layer_mountpoint;
  std::optional<uint64_t> writable_layer_used_bytes;
  std::optional<uint64_t> writable_layer_inodes_used;
};

struct PodSandboxStatsFilter {
  std::string id;
  Labels label_selector;
};

// CRI PodSandboxStats (the Linux part): the pod's own cgroup as the runtime measures it, counters unset when
// not reported, and its containers' stats.
struct PodSandboxStats {
  std::string id;
  SandboxMetadata metadata;
  Labels labels;
  Labels annotations;
  int64_t cpu_timestamp = 0;
  std::optional<uint64_t> cpu_usage_core_nano_seconds;
  std::optional<uint64_t> cpu_usage_nano_cores;
  int64_t memory_timestamp = 0;
  std::optional<uint64_t> memory_working_set_bytes;
  std::optional<uint64_t> memory_available_bytes;
  std::optional<uint64_t> memory_usage_bytes;
  std::optional<uint64_t> memory_rss_bytes;
  std::optional<uint64_t> memory_page_faults;
  std::optional<uint64_t> memory_major_page_faults;
  std::optional<uint64_t> process_count;
  std::vector<ContainerStats> containers;
};

}  // namespace crilet::cri
