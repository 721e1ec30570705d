/// The Pod v1 model: plain structs for the fields static pods use, filled by the parser, then defaulted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifests/object_volumes.h"
#include "manifests/quantity.h"

namespace crilet::manifests {

// A port given as number or as the name of a container port.
struct IntOrString {
  bool is_int = true;
  int32_t int_value = 0;
  std::string str_value;

  static IntOrString Int(int32_t v) { return IntOrString{true, v, ""}; }
  static IntOrString Str(std::string s) { return IntOrString{false, 0, std::move(s)}; }
  std::string ToString() const { return is_int ? std::to_string(int_value) : str_value; }
  bool operator==(const IntOrString&) const = default;
};

struct ExecAction {
  std::vector<std::string> command;
  bool operator==(const ExecAction&) const = default;
};

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

struct HttpGetAction {
  std::string path;      // default "/"
  IntOrString port;
  std::string host;      // default: the pod IP
  std::string scheme;    // HTTP (default) or HTTPS
  std::vector<HttpHeader> http_headers;
  bool operator==(const HttpGetAction&) const = default;
};

struct TcpSocketAction {
  IntOrString port;
  std::string host;
  bool operator==(const TcpSocketAction&) const = default;
};

struct GrpcAction {
  int32_t port = 0;
  std::optional<std::string> service;
  bool operator==(const GrpcAction&) const = default;
};

struct SleepAction {
  int64_t seconds = 0;
  bool operator==(const SleepAction&) const = default;
};

struct ProbeHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<GrpcAction> grpc;
  bool operator==(const ProbeHandler&) const = default;
};

struct Probe {
  ProbeHandler handler;
  int32_t initial_delay_seconds = 0;
  int32_t timeout_seconds = 1;
  int32_t period_seconds = 10;
  int32_t success_threshold = 1;
  int32_t failure_threshold = 3;
  std::optional<int64_t> termination_grace_period_seconds;
  bool operator==(const Probe&) const = default;
};

struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;  // deprecated upstream, accepted and run like a TCP check
  std::optional<SleepAction> sleep;
  bool operator==(const LifecycleHandler&) const = default;
};

struct Lifecycle {
  std::optional<LifecycleHandler> post_start;
  std::optional<LifecycleHandler> pre_stop;
  bool operator==(const Lifecycle&) const = default;
};

struct ObjectFieldSelector {
  std::string api_version;  // default "v1"
  std::string field_path;   // metadata.name, status.podIP, metadata.labels['k']...
  bool operator==(const ObjectFieldSelector&) const = default;
};

struct ResourceFieldSelector {
  std::string container_name;  // default: the container itself
  std::string resource;        // limits.cpu, requests.memory...
  std::optional<Quantity> divisor;
  bool operator==(const ResourceFieldSelector&) const = default;
};

// configMapKeyRef / secretKeyRef: one key of a ConfigMap or Secret in the pod's namespace.
struct KeySelector {
  std::string name;
  std::string key;
  bool optional = false;
  bool operator==(const KeySelector&) const = default;
};

struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  std::optional<KeySelector> config_map_key_ref;
  std::optional<KeySelector> secret_key_ref;
  bool operator==(const EnvVar&) const = default;
};

// envFrom: every key of a ConfigMap or Secret (exactly one is named), as variables prefixed by `prefix`.
struct EnvFromSource {
  std::string prefix;
  std::optional<KeySelector> config_map_ref;  // key unused
  std::optional<KeySelector> secret_ref;
  bool operator==(const EnvFromSource&) const = default;
};

struct ContainerPort {
  std::string name;
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string host_ip;
  bool operator==(const ContainerPort&) const = default;
};

struct ResourceRequirements {
  std::map<std::string, Quantity> requests;  // "cpu", "memory", "ephemeral-storage"...
  std::map<std::string, Quantity> limits;
  bool operator==(const ResourceRequirements&) const = default;
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
  std::string mount_propagation;  // None (default), HostToContainer, Bidirectional
  bool operator==(const VolumeMount&) const = default;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
  bool operator==(const Capabilities&) const = default;
};

struct SeccompProfile {
  std::string type;  // RuntimeDefault, Unconfined, Localhost
  std::string localhost_profile;
  bool operator==(const SeccompProfile&) const = default;
};

struct SecurityContext {
  std::optional<bool> privileged;
  std::optional<Capabilities> capabilities;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> allow_privilege_escalation;
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<SeccompProfile> seccomp_profile;
  std::optional<std::string> proc_mount;
  bool operator==(const SecurityContext&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  std::string image_pull_policy;  // Always, IfNotPresent, Never (defaulted from the tag)
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  std::vector<EnvFromSource> env_from;
  ResourceRequirements resources;
  std::vector<VolumeMount> volume_mounts;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  std::optional<Lifecycle> lifecycle;
  std::string termination_message_path;    // default /dev/termination-log
  std::string termination_message_policy;  // File (default) or FallbackToLogsOnError
  std::optional<SecurityContext> security_context;
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;
  // Only on init containers: "Always" makes it a sidecar (restartable init container).
  std::optional<std::string> restart_policy;
  bool operator==(const Container&) const = default;
};

struct Sysctl {
  std::string name;
  std::string value;
  bool operator==(const Sysctl&) const = default;
};

struct PodSecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> fs_group;
  std::string fs_group_change_policy;  // "" (= Always), Always, OnRootMismatch
  std::vector<int64_t> supplemental_groups;
  std::vector<Sysctl> sysctls;
  std::optional<SeccompProfile> seccomp_profile;
  bool operator==(const PodSecurityContext&) const = default;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" (node disk) or "Memory" (tmpfs)
  std::optional<Quantity> size_limit;
  bool operator==(const EmptyDirVolumeSource&) const = default;
};

struct HostPathVolumeSource {
  std::string path;
  // "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice
  std::string type;
  bool operator==(const HostPathVolumeSource&) const = default;
};

// A local PersistentVolumeClaim in the pod's namespace (see manifests/persistent_volumes.h).
struct PersistentVolumeClaimVolumeSource {
  std::string claim_name;
  bool read_only = false;
  bool operator==(const PersistentVolumeClaimVolumeSource&) const = default;
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> empty_dir;
  std::optional<HostPathVolumeSource> host_path;
  std::optional<ObjectVolumeSource> object;  // configMap, secret, downwardAPI or projected (manifests/object_volumes.h)
  std::optional<PersistentVolumeClaimVolumeSource> persistent_volume_claim;
  bool operator==(const Volume&) const = default;
};

struct PodDnsConfigOption {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const PodDnsConfigOption&) const = default;
};

struct PodDnsConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDnsConfigOption> options;
  bool operator==(const PodDnsConfig&) const = default;
};

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
  bool operator==(const HostAlias&) const = default;
};

struct Toleration {
  std::string key;
  std::string operator_;
  std::string value;
  std::string effect;
  std::optional<int64_t> toleration_seconds;
  bool operator==(const Toleration&) const = default;
};

// A node selector requirement: key, operator (In, NotIn, Exists, DoesNotExist, Gt, Lt) and values.
struct NodeSelectorRequirement {
  std::string key;
  std::string operator_;
  std::vector<std::string> values;
  bool operator==(const NodeSelectorRequirement&) const = default;
};

// Its requirements are ANDed; an empty term matches no node.
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;  // against the node's labels
  std::vector<NodeSelectorRequirement> match_fields;       // only metadata.name
  bool operator==(const NodeSelectorTerm&) const = default;
};

// requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed. Kubelet checks it when admitting a pod;
// preferred terms and pod (anti-)affinity only matter to a scheduler and are accepted and ignored.
struct NodeAffinity {
  std::optional<std::vector<NodeSelectorTerm>> required_terms;
  bool operator==(const NodeAffinity&) const = default;
};

struct Affinity {
  std::optional<NodeAffinity> node_affinity;
  bool operator==(const Affinity&) const = default;
};

struct PodSpec {
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::string restart_policy;  // Always (default), OnFailure, Never
  std::optional<int64_t> termination_grace_period_seconds;  // default 30
  std::optional<int64_t> active_deadline_seconds;
  std::string dns_policy;  // ClusterFirst (default), Default, ClusterFirstWithHostNet, None
  std::optional<PodDnsConfig> dns_config;
  std::vector<HostAlias> host_aliases;
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::optional<bool> share_process_namespace;
  std::string hostname;
  std::string subdomain;
  std::string node_name;
  std::optional<PodSecurityContext> security_context;
  std::optional<int32_t> priority;
  std::string priority_class_name;
  std::string service_account_name;
  std::vector<std::string> image_pull_secrets;  // names of Secrets in the pod's namespace ("" entries kept)
  std::vector<Toleration> tolerations;
  std::map<std::string, std::string> node_selector;  // must all match the node's labels (kubelet admission)
  std::optional<Affinity> affinity;
  bool operator==(const PodSpec&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  bool operator==(const ObjectMeta&) const = default;
};

// Where a pod came from, for messages and for kubelet's config.source annotation.
struct PodSource {
  std::string kind;  // "file" or "http"
  std::string path;  // file path or URL
  int document = 0;  // index of the YAML document in the file (several pods per file are allowed)
  bool operator==(const PodSource&) const = default;
};

struct Pod {
  std::string api_version;  // "v1"
  std::string kind;         // "Pod"
  ObjectMeta metadata;
  PodSpec spec;
  PodSource source;
  bool operator==(const Pod&) const = default;

  // "<name>_<namespace>", kubelet's full name used in logs and backoff keys.
  std::string FullName() const { return metadata.name + "_" + metadata.namespace_; }
};

// True for an init container with restartPolicy Always: a sidecar that keeps running.
inline bool IsSidecar(const Container& c) { return c.restart_policy && *c.restart_policy == "Always"; }

}  // namespace crilet::manifests
