// Field-by-field copies between crilet's CRI structs and the generated protobuf messages.
#include "cri/convert.h"

#include <cstdlib>

namespace crilet::cri {
namespace v1 = runtime::v1;

namespace {

void CopyMap(const Labels& in, google::protobuf::Map<std::string, std::string>* out) {
  for (const auto& [k, v] : in) (*out)[k] = v;
}

Labels CopyMap(const google::protobuf::Map<std::string, std::string>& in) {
  return Labels(in.begin(), in.end());
}

void ToProto(const NamespaceOptions& in, v1::NamespaceOption* out) {
  out->set_network(static_cast<v1::NamespaceMode>(in.network));
  out->set_pid(static_cast<v1::NamespaceMode>(in.pid));
  out->set_ipc(static_cast<v1::NamespaceMode>(in.ipc));
  out->set_target_id(in.target_id);
}

void ToProto(const SeccompProfile& in, v1::SecurityProfile* out) {
  out->set_profile_type(static_cast<v1::SecurityProfile::ProfileType>(in.type));
  out->set_localhost_ref(in.localhost_ref);
}

SandboxMetadata FromProto(const v1::PodSandboxMetadata& in) {
  return SandboxMetadata{in.name(), in.uid(), in.namespace_(), in.attempt()};
}

}  // namespace

void ToProto(const SandboxConfig& in, v1::PodSandboxConfig* out) {
  auto* md = out->mutable_metadata();
  md->set_name(in.metadata.name);
  md->set_uid(in.metadata.uid);
  md->set_namespace_(in.metadata.namespace_);
  md->set_attempt(in.metadata.attempt);
  out->set_hostname(in.hostname);
  out->set_log_directory(in.log_directory);
  auto* dns = out->mutable_dns_config();
  for (const auto& s : in.dns.servers) dns->add_servers(s);
  for (const auto& s : in.dns.searches) dns->add_searches(s);
  for (const auto& s : in.dns.options) dns->add_options(s);
  for (const auto& p : in.port_mappings) {
    auto* pm = out->add_port_mappings();
    pm->set_protocol(static_cast<v1::Protocol>(p.protocol));
    pm->set_container_port(p.container_port);
    pm->set_host_port(p.host_port);
    pm->set_host_ip(p.host_ip);
  }
  CopyMap(in.labels, out->mutable_labels());
  CopyMap(in.annotations, out->mutable_annotations());
  auto* linux = out->mutable_linux();
  linux->set_cgroup_parent(in.cgroup_parent);
  for (const auto& [k, v] : in.sysctls) (*linux->mutable_sysctls())[k] = v;
  auto* sc = linux->mutable_security_context();
  ToProto(in.namespaces, sc->mutable_namespace_options());
  if (in.run_as_user) sc->mutable_run_as_user()->set_value(*in.run_as_user);
  if (in.run_as_group) sc->mutable_run_as_group()->set_value(*in.run_as_group);
  for (auto g : in.supplemental_groups) sc->add_supplemental_groups(g);
  sc->set_privileged(in.privileged);
  if (in.seccomp) ToProto(*in.seccomp, sc->mutable_seccomp());
}

void ToProto(const ContainerConfig& in, v1::ContainerConfig* out) {
  out->mutable_metadata()->set_name(in.name);
  out->mutable_metadata()->set_attempt(in.attempt);
  out->mutable_image()->set_image(in.image);
  out->mutable_image()->set_user_specified_image(in.user_specified_image);
  for (const auto& s : in.command) out->add_command(s);
  for (const auto& s : in.args) out->add_args(s);
  out->set_working_dir(in.working_dir);
  for (const auto& [k, v] : in.envs) {
    auto* kv = out->add_envs();
    kv->set_key(k);
    kv->set_value(v);
  }
  for (const auto& m : in.mounts) {
    auto* pm = out->add_mounts();
    pm->set_container_path(m.container_path);
    pm->set_host_path(m.host_path);
    pm->set_readonly(m.readonly);
    pm->set_propagation(static_cast<v1::MountPropagation>(m.propagation));
  }
  CopyMap(in.labels, out->mutable_labels());
  CopyMap(in.annotations, out->mutable_annotations());
  out->set_log_path(in.log_path);
  out->set_stdin(in.stdin);
  out->set_stdin_once(in.stdin_once);
  out->set_tty(in.tty);
  auto* linux = out->mutable_linux();
  auto* res = linux->mutable_resources();
  res->set_cpu_period(in.resources.cpu_period);
  res->set_cpu_quota(in.resources.cpu_quota);
  res->set_cpu_shares(in.resources.cpu_shares);
  res->set_memory_limit_in_bytes(in.resources.memory_limit_in_bytes);
  res->set_oom_score_adj(in.resources.oom_score_adj);
  auto* sc = linux->mutable_security_context();
  const auto& s = in.security;
  for (const auto& c : s.add_capabilities) sc->mutable_capabilities()->add_add_capabilities(c);
  for (const auto& c : s.drop_capabilities) sc->mutable_capabilities()->add_drop_capabilities(c);
  sc->set_privileged(s.privileged);
  ToProto(s.namespaces, sc->mutable_namespace_options());
  if (s.run_as_user) sc->mutable_run_as_user()->set_value(*s.run_as_user);
  if (s.run_as_group) sc->mutable_run_as_group()->set_value(*s.run_as_group);
  sc->set_run_as_username(s.run_as_username);
  sc->set_readonly_rootfs(s.readonly_rootfs);
  for (auto g : s.supplemental_groups) sc->add_supplemental_groups(g);
  sc->set_no_new_privs(s.no_new_privs);
  for (const auto& p : s.masked_paths) sc->add_masked_paths(p);
  for (const auto& p : s.readonly_paths) sc->add_readonly_paths(p);
  if (s.seccomp) ToProto(*s.seccomp, sc->mutable_seccomp());
}

void ToProto(const SandboxFilter& in, v1::PodSandboxFilter* out) {
  out->set_id(in.id);
  if (in.state) out->mutable_state()->set_state(static_cast<v1::PodSandboxState>(*in.state));
  CopyMap(in.label_selector, out->mutable_label_selector());
}

void ToProto(const ContainerFilter& in, v1::ContainerFilter* out) {
  out->set_id(in.id);
  if (in.state) out->mutable_state()->set_state(static_cast<v1::ContainerState>(*in.state));
  out->set_pod_sandbox_id(in.sandbox_id);
  CopyMap(in.label_selector, out->mutable_label_selector());
}

Sandbox FromProto(const v1::PodSandbox& in) {
  Sandbox out;
  out.id = in.id();
  out.metadata = FromProto(in.metadata());
  out.state = static_cast<SandboxState>(in.state());
  out.created_at = in.created_at();
  out.labels = CopyMap(in.labels());
  out.annotations = CopyMap(in.annotations());
  return out;
}

SandboxStatus FromProto(const v1::PodSandboxStatus& in) {
  SandboxStatus out;
  out.id = in.id();
  out.metadata = FromProto(in.metadata());
  out.state = static_cast<SandboxState>(in.state());
  out.created_at = in.created_at();
  out.ip = in.network().ip();
  for (const auto& ip : in.network().additional_ips()) out.additional_ips.push_back(ip.ip());
  const auto& ns = in.linux().namespaces().options();
  out.namespaces.network = static_cast<NamespaceMode>(ns.network());
  out.namespaces.pid = static_cast<NamespaceMode>(ns.pid());
  out.namespaces.ipc = static_cast<NamespaceMode>(ns.ipc());
  out.labels = CopyMap(in.labels());
  out.annotations = CopyMap(in.annotations());
  return out;
}

Container FromProto(const v1::Container& in) {
  Container out;
  out.id = in.id();
  out.sandbox_id = in.pod_sandbox_id();
  out.name = in.metadata().name();
  out.attempt = in.metadata().attempt();
  out.image = in.image().image();
  out.image_ref = in.image_ref();
  out.state = static_cast<ContainerState>(in.state());
  out.created_at = in.created_at();
  out.labels = CopyMap(in.labels());
  out.annotations = CopyMap(in.annotations());
  return out;
}

ContainerStatus FromProto(const v1::ContainerStatus& in) {
  ContainerStatus out;
  out.id = in.id();
  out.name = in.metadata().name();
  out.attempt = in.metadata().attempt();
  out.state = static_cast<ContainerState>(in.state());
  out.created_at = in.created_at();
  out.started_at = in.started_at();
  out.finished_at = in.finished_at();
  out.exit_code = in.exit_code();
  out.image = in.image().image();
  out.image_ref = in.image_ref();
  out.reason = in.reason();
  out.message = in.message();
  out.labels = CopyMap(in.labels());
  out.annotations = CopyMap(in.annotations());
  for (const auto& m : in.mounts()) {
    out.mounts.push_back(Mount{m.container_path(), m.host_path(), m.readonly(),
                               static_cast<MountPropagation>(m.propagation())});
  }
  out.log_path = in.log_path();
  return out;
}

Image FromProto(const v1::Image& in) {
  Image out;
  out.id = in.id();
  out.repo_tags.assign(in.repo_tags().begin(), in.repo_tags().end());
  out.repo_digests.assign(in.repo_digests().begin(), in.repo_digests().end());
  out.size = in.size();
  if (in.has_uid()) out.uid = in.uid().value();
  out.username = in.username();
  out.pinned = in.pinned();
  return out;
}

int64_t PidFromVerboseInfo(const std::string& info_json) {
  // The info JSON is large; only the top-level "pid": N is needed, so scan for it rather than parse it all.
  auto pos = info_json.find("\"pid\":");
  if (pos == std::string::npos) return 0;
  return std::strtoll(info_json.c_str() + pos + 6, nullptr, 10);
}

RuntimeStatusInfo FromProto(const runtime::v1::StatusResponse& in) {
  RuntimeStatusInfo out;
  for (const auto& c : in.status().conditions()) {
    RuntimeCondition rc;
    rc.type = c.type();
    rc.status = c.status();
    rc.reason = c.reason();
    rc.message = c.message();
    out.conditions.push_back(std::move(rc));
  }
  out.info = CopyMap(in.info());
  return out;
}

void ToProto(const ContainerStatsFilter& in, runtime::v1::ContainerStatsFilter* out) {
  out->set_id(in.id);
  out->set_pod_sandbox_id(in.sandbox_id);
  CopyMap(in.label_selector, out->mutable_label_selector());
}

namespace {

// An unset UInt64Value is "not reported", which crictl prints as 0 and -o json leaves out.
std::optional<uint64_t> Reported(bool has, const runtime::v1::UInt64Value& v) {
  return has ? std::optional<uint64_t>(v.value()) : std::nullopt;
}

// The CPU and memory figures of container and pod stats alike (both name their fields the same).
template <typename Stats>
void CopyCpuMemory(const runtime::v1::CpuUsage& cpu, const runtime::v1::MemoryUsage& mem, Stats* out) {
  out->cpu_timestamp = cpu.timestamp();
  out->cpu_usage_core_nano_seconds = Reported(cpu.has_usage_core_nano_seconds(), cpu.usage_core_nano_seconds());
  out->cpu_usage_nano_cores = Reported(cpu.has_usage_nano_cores(), cpu.usage_nano_cores());
  out->memory_timestamp = mem.timestamp();
  out->memory_working_set_bytes = Reported(mem.has_working_set_bytes(), mem.working_set_bytes());
  out->memory_available_bytes = Reported(mem.has_available_bytes(), mem.available_bytes());
  out->memory_usage_bytes = Reported(mem.has_usage_bytes(), mem.usage_bytes());
  out->memory_rss_bytes = Reported(mem.has_rss_bytes(), mem.rss_bytes());
  out->memory_page_faults = Reported(mem.has_page_faults(), mem.page_faults());
  out->memory_major_page_faults = Reported(mem.has_major_page_faults(), mem.major_page_faults());
}

}  // namespace

ContainerStats FromProto(const runtime::v1::ContainerStats& in) {
  ContainerStats out;
  const auto& a = in.attributes();
  out.id = a.id();
  out.name = a.metadata().name();
  out.attempt = a.metadata().attempt();
  out.labels = CopyMap(a.labels());
  out.annotations = CopyMap(a.annotations());
  CopyCpuMemory(in.cpu(), in.memory(), &out);
  const auto& fs = in.writable_layer();
  out.writable_layer_timestamp = fs.timestamp();
  out.writable_layer_mountpoint = fs.fs_id().mountpoint();
  out.writable_layer_used_bytes = Reported(fs.has_used_bytes(), fs.used_bytes());
  out.writable_layer_inodes_used = Reported(fs.has_inodes_used(), fs.inodes_used());
  return out;
}

void ToProto(const PodSandboxStatsFilter& in, runtime::v1::PodSandboxStatsFilter* out) {
  out->set_id(in.id);
  CopyMap(in.label_selector, out->mutable_label_selector());
}

PodSandboxStats FromProto(const runtime::v1::PodSandboxStats& in) {
  PodSandboxStats out;
  const auto& a = in.attributes();
  out.id = a.id();
  out.metadata.name = a.metadata().name();
  out.metadata.uid = a.metadata().uid();
  out.metadata.namespace_ = a.metadata().namespace_();
  out.metadata.attempt = a.metadata().attempt();
  out.labels = CopyMap(a.labels());
  out.annotations = CopyMap(a.annotations());
  const auto& linux = in.linux();
  CopyCpuMemory(linux.cpu(), linux.memory(), &out);
  out.process_count = Reported(linux.process().has_process_count(), linux.process().process_count());
  for (const auto& c : linux.containers()) out.containers.push_back(FromProto(c));
  return out;
}

}  // namespace crilet::cri
