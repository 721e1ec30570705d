/// A PodSyncer's collaborators on fakes (runtime, clock, events, metrics) and a scratch dir, for syncer tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "agent/pod_syncer.h"
#include "cri/fake_runtime.h"

namespace crilet::testing {

struct SyncerHarness {
  FakeClock clock;
  cri::FakeRuntime runtime{&clock};
  agent::EventRecorder events{&clock};
  agent::StatusStore store{&events};
  agent::RuntimeStateReader reader{&runtime};
  agent::HookRunner hooks{&runtime, nullptr};
  Metrics metrics;  // stands for one crilet process's registry
  agent::Services env;
  std::string dir;

  SyncerHarness() {
    dir = std::filesystem::temp_directory_path() / ("crilet-syncer-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<uintptr_t>(this)));
    env.runtime = &runtime;
    env.clock = &clock;
    env.events = &events;
    env.reader = &reader;
    env.hooks = &hooks;
    env.metrics = &metrics;
    env.options.root_dir = dir + "/root";
    env.options.pod_logs_dir = dir + "/logs";
    env.options.node_ip = "192.0.2.10";
    env.node_memory_bytes = 8LL << 30;
    env.node_cpu_milli = 2000;
    runtime.AddImage("busybox:1.36");
    DeclareStartMetric(&metrics);
  }
  ~SyncerHarness() { std::filesystem::remove_all(dir); }
  SyncerHarness(const SyncerHarness&) = delete;
  SyncerHarness& operator=(const SyncerHarness&) = delete;

  static void DeclareStartMetric(Metrics* m) {
    m->Declare("crilet_pod_start_duration_seconds", Metrics::Type::kHistogram, "start", Metrics::LatencyBuckets());
  }
  uint64_t Starts() const { return metrics.HistogramCount("crilet_pod_start_duration_seconds", {}); }
  agent::PodStatus Status(const manifests::Pod& pod) { return *store.Status(pod.metadata.uid); }
  bool HasEvent(const manifests::Pod& pod, const std::string& reason, const std::string& message) {
    for (const auto& e : events.Events(pod.metadata.uid)) {
      if (e.reason == reason && e.message == message) return true;
    }
    return false;
  }
};

}  // namespace crilet::testing
