// StatsCollector: one collection every housekeeping interval, from CRI stats, the cgroup files and the disk.
#include "agent/stats_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "agent/pod_cgroups.h"

namespace crilet::agent {
namespace {

std::string Label(const cri::Labels& l, const char* key) {
  auto it = l.find(key);
  return it == l.end() ? "" : it->second;
}

// "containerd://abc" -> "abc".
std::string BareId(const std::string& id) {
  size_t p = id.find("://");
  return p == std::string::npos ? id : id.substr(p + 3);
}

std::optional<uint64_t> ParseCounter(const std::string& text) {
  try {
    size_t used = 0;
    uint64_t v = std::stoull(text, &used);
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

// A device's capacity figures with the part's own usage.
FsUsage WithDevice(std::optional<FsUsage> part, const FsUsage& device, int64_t now_ns) {
  FsUsage out = device;
  out.timestamp_ns = now_ns;
  out.used_bytes = part ? part->used_bytes : std::nullopt;
  out.inodes_used = part ? part->inodes_used : std::nullopt;
  return out;
}

}  // namespace

StatsCollector::StatsCollector(StatsCollectorOptions options, cri::Runtime* runtime, const CgroupFs* cgroups,
                               const DiskUsage* disk, std::function<std::vector<PodRecord>()> pods, const Clock* clock)
    : options_(std::move(options)), runtime_(runtime), cgroups_(cgroups), disk_(disk), pods_(std::move(pods)), clock_(clock) {}

StatsCollector::~StatsCollector() { Stop(); }

void StatsCollector::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StatsCollector::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatsCollector::Loop() {
  while (true) {
    CollectOnce();
    std::unique_lock<std::mutex> l(mu_);
    if (cv_.wait_for(l, options_.interval, [this] { return stopping_; })) return;
  }
}

std::shared_ptr<const UsageSnapshot> StatsCollector::Latest() const {
  std::lock_guard<std::mutex> l(mu_);
  return latest_;
}

std::optional<bool> StatsCollector::RuntimeHasPodStats() const {
  std::lock_guard<std::mutex> l(mu_);
  return sandbox_stats_;
}

void StatsCollector::Warn(const std::string& kind, const std::string& message) {
  if (warned_.insert(kind).second) spdlog::warn("resource usage: {} (figures left empty; said once)", message);
}

CpuUsage StatsCollector::Rate(const std::string& key, std::optional<CpuSample> current,
                              std::optional<uint64_t> runtime_nano_cores, int64_t now_ns) {
  CpuUsage cpu;
  cpu.timestamp_ns = current ? current->timestamp_ns : now_ns;
  if (current) cpu.usage_core_nano_seconds = current->usage_core_nano_seconds;
  auto prev = last_cpu_.find(key);
  cpu.usage_nano_cores = PickNanoCores(prev == last_cpu_.end() ? std::nullopt : std::optional<CpuSample>(prev->second),
                                       current, runtime_nano_cores);
  if (current) this_cpu_[key] = *current;
  return cpu;
}

StatsCollector::CgroupReading StatsCollector::ReadCgroup(const std::string& path, uint64_t capacity, int64_t now_ns) {
  CgroupReading r;
  if (!cgroups_) return r;
  std::string text;
  if (Status s = cgroups_->Read("cpuacct", path, "cpuacct.usage", &text); s.ok()) {
    if (auto v = ParseCounter(text)) r.cpu = CpuSample{now_ns, *v};
  } else {
    Warn("cgroup cpuacct", s.message());
  }
  std::string usage, stat, limit;
  Status su = cgroups_->Read("memory", path, "memory.usage_in_bytes", &usage);
  Status ss = su.ok() ? cgroups_->Read("memory", path, "memory.stat", &stat) : su;
  if (su.ok() && ss.ok()) {
    std::optional<uint64_t> lim;
    if (cgroups_->Read("memory", path, "memory.limit_in_bytes", &limit).ok()) lim = ParseCounter(limit);
    if (auto u = ParseCounter(usage)) r.memory = MemoryFromCgroupV1(*u, stat, lim, capacity, now_ns);
  } else {
    Warn("cgroup memory", (su.ok() ? ss : su).message());
  }
  if (cgroups_->Read("pids", path, "pids.current", &text).ok()) r.pids = ParseCounter(text);
  return r;
}

ContainerUsage StatsCollector::Container(const PodRecord& record, const ContainerStatus& status,
                                         const cri::ContainerStats* stats, const FsUsage& image_device, int64_t now_ns) {
  ContainerUsage c;
  c.name = status.name;
  c.id = BareId(status.container_id);
  if (status.state.running) c.start_time_ns = ToUnixNanos(status.state.running->started_at);
  std::optional<CpuSample> sample;
  std::optional<uint64_t> runtime_rate;
  if (stats) {
    int64_t ts = stats->cpu_timestamp > 0 ? stats->cpu_timestamp : now_ns;
    if (stats->cpu_usage_core_nano_seconds) sample = CpuSample{ts, *stats->cpu_usage_core_nano_seconds};
    runtime_rate = stats->cpu_usage_nano_cores;
    c.memory.timestamp_ns = stats->memory_timestamp > 0 ? stats->memory_timestamp : now_ns;
    c.memory.working_set_bytes = stats->memory_working_set_bytes;
    c.memory.available_bytes = stats->memory_available_bytes;
    c.memory.usage_bytes = stats->memory_usage_bytes;
    c.memory.rss_bytes = stats->memory_rss_bytes;
    c.memory.page_faults = stats->memory_page_faults;
    c.memory.major_page_faults = stats->memory_major_page_faults;
    c.rootfs = image_device;
    c.rootfs.timestamp_ns = stats->writable_layer_timestamp > 0 ? stats->writable_layer_timestamp : now_ns;
    c.rootfs.used_bytes = stats->writable_layer_used_bytes;
    c.rootfs.inodes_used = stats->writable_layer_inodes_used;
  }
  c.cpu = Rate("container/" + c.id, sample, runtime_rate, now_ns);
  const auto& m = record.pod.metadata;
  std::string logs = options_.pod_logs_dir + "/" + m.namespace_ + "_" + m.name + "_" + m.uid + "/" + status.name;
  std::optional<FsUsage> log_device = disk_->Device(options_.pod_logs_dir);
  c.logs = WithDevice(disk_->Dir(logs), log_device.value_or(FsUsage{}), now_ns);
  return c;
}

void StatsCollector::FillPodTotals(const PodRecord& record, const cri::PodSandboxStats* sandbox, PodUsage* pod,
                                   int64_t now_ns) {
  const std::string key = "pod/" + pod->uid;
  if (sandbox) {
    std::optional<CpuSample> sample;
    int64_t ts = sandbox->cpu_timestamp > 0 ? sandbox->cpu_timestamp : now_ns;
    if (sandbox->cpu_usage_core_nano_seconds) sample = CpuSample{ts, *sandbox->cpu_usage_core_nano_seconds};
    pod->cpu = Rate(key, sample, sandbox->cpu_usage_nano_cores, now_ns);
    pod->memory.timestamp_ns = sandbox->memory_timestamp > 0 ? sandbox->memory_timestamp : now_ns;
    pod->memory.working_set_bytes = sandbox->memory_working_set_bytes;
    pod->memory.available_bytes = sandbox->memory_available_bytes;
    pod->memory.usage_bytes = sandbox->memory_usage_bytes;
    pod->memory.rss_bytes = sandbox->memory_rss_bytes;
    pod->memory.page_faults = sandbox->memory_page_faults;
    pod->memory.major_page_faults = sandbox->memory_major_page_faults;
    pod->process_count = sandbox->process_count;
    return;
  }
  if (options_.pod_cgroups && !record.status.qos_class.empty()) {
    std::string path = ToCgroupfs(PodCgroupName(QosCgroups(options_.cgroup_root), record.status.qos_class, pod->uid));
    CgroupReading r = ReadCgroup(path, options_.node_memory_bytes, now_ns);
    pod->cpu = Rate(key, r.cpu, std::nullopt, now_ns);
    pod->memory = r.memory;
    pod->process_count = r.pids;
    return;
  }
  // No pod-level source: the containers' sums (the pause container's few pages are left out).
  pod->cpu.timestamp_ns = pod->memory.timestamp_ns = now_ns;
  auto add = [](std::optional<uint64_t>* sum, const std::optional<uint64_t>& v) {
    if (v) *sum = sum->value_or(0) + *v;
  };
  for (const auto& c : pod->containers) {
    add(&pod->cpu.usage_nano_cores, c.cpu.usage_nano_cores);
    add(&pod->cpu.usage_core_nano_seconds, c.cpu.usage_core_nano_seconds);
    add(&pod->memory.working_set_bytes, c.memory.working_set_bytes);
    add(&pod->memory.usage_bytes, c.memory.usage_bytes);
    add(&pod->memory.rss_bytes, c.memory.rss_bytes);
  }
}

void StatsCollector::FillNode(NodeUsage* node, int64_t now_ns) {
  node->node_name = options_.node_name;
  node->start_time_ns = options_.node_start_time_ns;
  node->cpu_capacity_milli = options_.node_cpu_milli;
  node->memory_capacity_bytes = options_.node_memory_bytes;
  // The root cgroup, as cAdvisor's "/" container: everything on the machine.
  CgroupReading r = ReadCgroup("/", options_.node_memory_bytes, now_ns);
  node->cpu = Rate("node", r.cpu, std::nullopt, now_ns);
  node->memory = r.memory;
  if (node->memory.working_set_bytes && options_.node_memory_bytes > 0) {
    uint64_t ws = *node->memory.working_set_bytes;
    node->memory.available_bytes = options_.node_memory_bytes > ws ? options_.node_memory_bytes - ws : 0;
  }
  node->fs = disk_->Device(options_.root_dir).value_or(FsUsage{});
  node->fs.timestamp_ns = now_ns;
}

void StatsCollector::CollectOnce() {
  std::lock_guard<std::mutex> collect(collect_mu_);
  const TimePoint now = clock_->Now();
  const int64_t now_ns = ToUnixNanos(now);
  this_cpu_.clear();
  auto snap = std::make_shared<UsageSnapshot>();
  snap->time = now;
  FillNode(&snap->node, now_ns);

  // The image filesystem: the runtime's usage figures on its device's capacity.
  std::vector<cri::FilesystemUsage> image_fs;
  if (Status s = runtime_->ImageFsInfo(&image_fs); !s.ok()) Warn("ImageFsInfo", s.message());
  FsUsage image_device;
  if (!image_fs.empty()) {
    image_device = disk_->Device(image_fs[0].mountpoint).value_or(FsUsage{});
    snap->node.image_fs = image_device;
    snap->node.image_fs.used_bytes = image_fs[0].used_bytes;
    snap->node.image_fs.inodes_used = image_fs[0].inodes_used;
  }
  snap->node.image_fs.timestamp_ns = now_ns;

  // Pod sandbox stats carry their containers' stats too (containerd fills LinuxPodSandboxStats.containers):
  // with them, one call does; without them (or when the call fails), ListContainerStats.
  std::optional<bool> sandbox_supported = RuntimeHasPodStats();
  std::vector<cri::PodSandboxStats> sandboxes;
  bool have_sandboxes = false;
  if (sandbox_supported != false) {
    Status s = runtime_->ListPodSandboxStats({}, &sandboxes);
    bool supported = s.ok() || s.code() != Code::kUnimplemented;
    have_sandboxes = s.ok();
    if (!s.ok() && supported) Warn("ListPodSandboxStats", s.message());
    if (!sandbox_supported) {
      spdlog::info("resource usage: pod figures from {}", supported ? "CRI ListPodSandboxStats"
                   : options_.pod_cgroups ? "the pod cgroups (the runtime has no ListPodSandboxStats)"
                                          : "the containers' sums (no ListPodSandboxStats, no pod cgroups)");
      std::lock_guard<std::mutex> l(mu_);
      sandbox_stats_ = supported;
    }
  }
  std::vector<cri::ContainerStats> containers;
  std::map<std::string, const cri::ContainerStats*> by_id;
  if (have_sandboxes) {
    for (const auto& sb : sandboxes) {
      for (const auto& c : sb.containers) by_id[c.id] = &c;
    }
  } else {
    if (Status s = runtime_->ListContainerStats({}, &containers); !s.ok()) Warn("ListContainerStats", s.message());
    for (const auto& c : containers) by_id[c.id] = &c;
  }

  // The ready sandbox of each pod (the newest when there are several).
  std::map<std::string, const cri::PodSandboxStats*> sandbox_by_uid;
  for (const auto& sb : sandboxes) {
    std::string uid = sb.metadata.uid.empty() ? Label(sb.labels, "io.kubernetes.pod.uid") : sb.metadata.uid;
    auto& slot = sandbox_by_uid[uid];
    if (!slot || slot->metadata.attempt < sb.metadata.attempt) slot = &sb;
  }

  const std::optional<FsUsage> root_device = disk_->Device(options_.root_dir);
  for (const PodRecord& r : pods_()) {
    PodUsage pod;
    pod.name = r.pod.metadata.name;
    pod.namespace_ = r.pod.metadata.namespace_;
    pod.uid = r.pod.metadata.uid;
    if (r.status.start_time) pod.start_time_ns = ToUnixNanos(*r.status.start_time);
    // Running containers only, as kubelet's summary (a restarted sidecar init container counts, a finished init
    // container does not).
    for (const auto* list : {&r.status.init_container_statuses, &r.status.container_statuses}) {
      for (const auto& cs : *list) {
        if (!cs.state.running || cs.container_id.empty()) continue;
        auto it = by_id.find(BareId(cs.container_id));
        pod.containers.push_back(Container(r, cs, it == by_id.end() ? nullptr : it->second, image_device, now_ns));
      }
    }
    auto sb = sandbox_by_uid.find(pod.uid);
    FillPodTotals(r, sb == sandbox_by_uid.end() ? nullptr : sb->second, &pod, now_ns);
    std::vector<const FsUsage*> parts;
    for (const auto& v : r.pod.spec.volumes) {
      if (!v.empty_dir) continue;
      std::string path = options_.root_dir + "/pods/" + pod.uid + "/volumes/kubernetes.io~empty-dir/" + v.name;
      pod.volumes.push_back({v.name, WithDevice(disk_->Dir(path), root_device.value_or(FsUsage{}), now_ns)});
    }
    for (const auto& c : pod.containers) {
      parts.push_back(&c.rootfs);
      parts.push_back(&c.logs);
    }
    for (const auto& v : pod.volumes) parts.push_back(&v.fs);
    pod.ephemeral_storage = SumFs(parts, root_device.value_or(FsUsage{}), now_ns);
    snap->pods.push_back(std::move(pod));
  }
  std::sort(snap->pods.begin(), snap->pods.end(), [](const PodUsage& a, const PodUsage& b) {
    return std::tie(a.namespace_, a.name) < std::tie(b.namespace_, b.name);
  });
  // Readings of containers and pods that are gone are dropped with the old map.
  last_cpu_.swap(this_cpu_);
  std::lock_guard<std::mutex> l(mu_);
  latest_ = std::move(snap);
}

}  // namespace crilet::agent
