// bench_tool: the measurements behind scripts/bench.sh (raw CRI chains, crilet start latency, exit detection).
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/container_config.h"
#include "agent/labels.h"
#include "agent/sandbox_config.h"
#include "cri/grpc_runtime.h"
#include "manifests/loader.h"
#include "manifests/url_source.h"
#include "probes/probe_handler.h"

using namespace crilet;
using SteadyClock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

// How often `start` (and `raw --observe`) look for running containers through CRI.
constexpr auto kPollInterval = std::chrono::milliseconds(2);

double Ms(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string PodYaml(const std::string& name, bool host_network) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  hostNetwork: " +
         (host_network ? "true" : "false") +
         "\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: docker.io/library/busybox:1.36\n"
         "    command: [sleep, \"3600\"]\n";
}

// The raw CRI chain for one pod, with the configs crilet would send (same labels, DNS, mounts).
double RawChain(cri::Runtime* rt, const std::string& name, bool host_network, const std::string& work,
                std::string* sandbox_id) {
  manifests::LoadOptions lo;
  lo.node_name = "bench";
  lo.source = manifests::PodSource{"file", work + "/" + name + ".yaml", 0};
  manifests::Pod pod = manifests::LoadManifest(PodYaml(name, host_network), lo).pods.at(0);
  agent::AgentOptions ao;
  ao.pod_logs_dir = work + "/logs";
  cri::DnsConfig dns;
  // Not a static pod: a running crilet would remove it as an orphan.
  pod.metadata.annotations.clear();
  cri::SandboxConfig sc = agent::BuildSandboxConfig(pod, 0, ao, dns);
  fs::create_directories(sc.log_directory);
  std::string files = work + "/files/" + pod.metadata.uid;
  fs::create_directories(files);
  std::ofstream(files + "/etc-hosts") << "127.0.0.1 localhost\n";
  std::ofstream(files + "/termination-log") << "";
  agent::ContainerContext ctx;
  ctx.etc_hosts_path = files + "/etc-hosts";
  ctx.termination_message_path = files + "/termination-log";
  cri::ContainerConfig cc;
  (void)agent::BuildContainerConfig(pod, pod.spec.containers[0], ctx, &cc);
  fs::create_directories(sc.log_directory + "/c");

  auto start = SteadyClock::now();
  Status s = rt->RunPodSandbox(sc, sandbox_id);
  std::string cid;
  if (s.ok()) s = rt->CreateContainer(*sandbox_id, cc, sc, &cid);
  if (s.ok()) s = rt->StartContainer(cid);
  auto took = SteadyClock::now() - start;
  if (!s.ok()) {
    std::cerr << "raw chain failed: " << s.ToString() << "\n";
    return -1;
  }
  return Ms(took);
}

void Cleanup(cri::Runtime* rt) {
  std::vector<cri::Sandbox> list;
  if (!rt->ListPodSandbox({}, &list).ok()) return;
  std::vector<std::thread> threads;
  for (const auto& sb : list) {
    threads.emplace_back([rt, id = sb.id] {
      rt->StopPodSandbox(id);
      rt->RemovePodSandbox(id);
    });
  }
  for (auto& t : threads) t.join();
}

// Running containers whose pod name starts with `prefix`, by pod name.
std::map<std::string, bool> RunningPods(cri::Runtime* rt, const std::string& prefix) {
  cri::ContainerFilter f;
  f.state = cri::ContainerState::kRunning;
  std::vector<cri::Container> list;
  std::map<std::string, bool> out;
  if (!rt->ListContainers(f, &list).ok()) return out;
  for (const auto& c : list) {
    auto it = c.labels.find(agent::kPodNameLabel);
    if (it != c.labels.end() && it->second.rfind(prefix, 0) == 0) out[it->second] = true;
  }
  return out;
}

// The floor under crilet's steady-state CPU: the same liveness and readiness probes of the pods whose
// manifests are in `dir`, run with crilet's own handler code (RunProbeHandler) once a second, but by a few
// threads that each loop over a fixed share: no timer queue, no hand-off to a pool, no results, status or
// metrics. Returns this process's CPU as a percentage of one core over `seconds` (after a 5 s warm-up).
nlohmann::json ProbeFloor(cri::Runtime* rt, const std::string& dir, int seconds, int threads, int slots) {
  struct Target {
    manifests::Pod pod;
    std::string container_id, pod_ip;
  };
  std::vector<Target> targets;
  std::vector<cri::Container> running;
  cri::ContainerFilter f;
  f.state = cri::ContainerState::kRunning;
  rt->ListContainers(f, &running);
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    manifests::LoadOptions lo;
    lo.node_name = "bench";
    lo.source = manifests::PodSource{"file", e.path().string(), 0};
    auto r = manifests::LoadManifest(text, lo);
    if (r.pods.empty()) continue;
    Target t{r.pods[0], "", ""};
    for (const auto& c : running) {
      auto it = c.labels.find(agent::kPodNameLabel);
      if (it == c.labels.end() || it->second != t.pod.metadata.name) continue;
      t.container_id = c.id;
      cri::SandboxStatus st;
      if (rt->PodSandboxStatus(c.sandbox_id, &st).ok()) t.pod_ip = st.ip;
    }
    if (!t.container_id.empty()) targets.push_back(std::move(t));
  }
  struct Run {
    const Target* target;
    const manifests::Probe* probe;
  };
  std::vector<Run> runs;
  for (const auto& t : targets) {
    const auto& c = t.pod.spec.containers.at(0);
    if (c.liveness_probe) runs.push_back({&t, &*c.liveness_probe});
    if (c.readiness_probe) runs.push_back({&t, &*c.readiness_probe});
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> failures{0}, done{0};
  std::vector<std::thread> pool;
  auto start = SteadyClock::now();
  for (int w = 0; w < threads; ++w) {
    pool.emplace_back([&, w] {
      for (auto tick = start; !stop; tick += std::chrono::seconds(1)) {
        std::this_thread::sleep_until(tick);
        for (size_t i = static_cast<size_t>(w); i < runs.size() && !stop; i += static_cast<size_t>(threads)) {
          if (slots > 1) std::this_thread::sleep_until(tick + std::chrono::microseconds(1000000 * (i * slots / runs.size()) / slots));
          probes::ProbeTargetInfo info;
          info.runtime = rt;
          info.container = &runs[i].target->pod.spec.containers.at(0);
          info.container_id = runs[i].target->container_id;
          info.pod_ip = runs[i].target->pod_ip;
          auto o = probes::RunProbeHandler(*runs[i].probe, info);
          if (o.result != probes::Result::kSuccess) failures++;
          done++;
        }
      }
    });
  }
  auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  std::this_thread::sleep_for(std::chrono::seconds(5));
  double c0 = cpu();
  int64_t d0 = done;
  auto t0 = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double c1 = cpu();
  int64_t d1 = done;
  double wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  stop = true;
  for (auto& t : pool) t.join();
  return {{"cpu_percent", 100 * (c1 - c0) / wall}, {"probes", runs.size()}, {"runs_per_second", (d1 - d0) / wall},
          {"failures", failures.load()}, {"pods", targets.size()}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_tool: measurements for scripts/bench.sh"};
  std::string endpoint, dir, work = "/tmp/crilet-bench-raw", prefix = "b";
  int pods = 1;
  bool host_network = false;
  app.add_option("--endpoint", endpoint, "CRI endpoint")->required();
  auto* raw = app.add_subcommand("raw", "N raw CRI chains at once; prints each latency and the wall time (ms)");
  raw->add_option("--pods", pods);
  raw->add_flag("--host-network", host_network);
  raw->add_option("--work", work);
  raw->add_option("--prefix", prefix);
  bool observe = false;
  raw->add_flag("--observe", observe,
                "while the chains run, poll ListContainers as `start` does, so both carry the same observer load");
  auto* start = app.add_subcommand("start", "drop N manifests into DIR at once; time until each pod's container runs in CRI");
  start->add_option("--dir", dir)->required();
  start->add_option("--pods", pods);
  start->add_flag("--host-network", host_network);
  start->add_option("--prefix", prefix);
  auto* cleanup = app.add_subcommand("cleanup", "stop and remove every sandbox");
  std::string server;
  auto* exits = app.add_subcommand("exits", "pods whose container exits after 2s: time until crilet reports the exit and until the restart runs");
  exits->add_option("--dir", dir)->required();
  exits->add_option("--server", server)->required();
  exits->add_option("--pods", pods);
  exits->add_option("--prefix", prefix);
  int seconds = 60, threads = 8;
  auto* floor = app.add_subcommand(
      "probe-floor", "run the liveness/readiness probes of the manifests in DIR with crilet's handlers and no agent; print this process's CPU");
  floor->add_option("--dir", dir)->required();
  floor->add_option("--seconds", seconds);
  floor->add_option("--threads", threads);
  int slots = 1;
  floor->add_option("--slots", slots, "start times per second the runs are spread over (1: one batch a second)");
  app.require_subcommand(1);
  app.fallthrough();
  CLI11_PARSE(app, argc, argv);

  cri::GrpcRuntimeOptions o;
  o.endpoint = endpoint;
  cri::GrpcRuntime rt(o);
  nlohmann::json out;
  if (cleanup->parsed()) {
    Cleanup(&rt);
    return 0;
  }
  if (floor->parsed()) {
    std::cout << ProbeFloor(&rt, dir, seconds, threads, slots).dump() << "\n";
    return 0;
  }
  if (raw->parsed()) {
    std::vector<double> lat(pods, -1);
    std::vector<std::string> ids(pods);
    std::vector<std::thread> threads;
    std::atomic<bool> done{false};
    std::thread observer;
    if (observe) {
      observer = std::thread([&] {
        while (!done) {
          RunningPods(&rt, prefix);
          std::this_thread::sleep_for(kPollInterval);
        }
      });
    }
    auto t0 = SteadyClock::now();
    for (int i = 0; i < pods; ++i) {
      threads.emplace_back([&, i] { lat[i] = RawChain(&rt, prefix + std::to_string(i), host_network, work, &ids[i]); });
    }
    for (auto& t : threads) t.join();
    done = true;
    if (observer.joinable()) observer.join();
    out = {{"latencies_ms", lat}, {"wall_ms", Ms(SteadyClock::now() - t0)}};
  } else if (start->parsed()) {
    // Write the manifests beside the directory, then rename them in: each appears whole, at once.
    std::string stage = dir + "/../.bench-stage";
    fs::create_directories(stage);
    for (int i = 0; i < pods; ++i) std::ofstream(stage + "/" + prefix + std::to_string(i) + ".yaml") << PodYaml(prefix + std::to_string(i), host_network);
    std::map<std::string, double> seen;
    auto t0 = SteadyClock::now();
    for (int i = 0; i < pods; ++i) {
      fs::rename(stage + "/" + prefix + std::to_string(i) + ".yaml", dir + "/" + prefix + std::to_string(i) + ".yaml");
    }
    auto deadline = t0 + std::chrono::seconds(120);
    while (static_cast<int>(seen.size()) < pods && SteadyClock::now() < deadline) {
      auto running = RunningPods(&rt, prefix);
      double now = Ms(SteadyClock::now() - t0);
      for (const auto& [name, _] : running) seen.emplace(name, now);
      std::this_thread::sleep_for(kPollInterval);
    }
    std::vector<double> lat;
    for (const auto& [name, ms] : seen) lat.push_back(ms);
    out = {{"latencies_ms", lat}, {"wall_ms", lat.empty() ? -1 : *std::max_element(lat.begin(), lat.end())},
           {"complete", static_cast<int>(seen.size()) == pods}};
  }
  if (exits->parsed()) {
    // Each container blocks reading its own FIFO (no CPU while waiting), so exits happen one at a time on an
    // idle runtime and the measurement is detection, not contention with other pods.
    std::string go = dir + "/../.bench-exit";
    fs::create_directories(go);
    for (int i = 0; i < pods; ++i) {
      std::string name = prefix + std::to_string(i);
      mkfifo((go + "/" + name).c_str(), 0666);
      std::ofstream(dir + "/" + name + ".yaml")
          << "apiVersion: v1\nkind: Pod\nmetadata: {name: " << name << "}\nspec:\n  hostNetwork: true\n"
          << "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: docker.io/library/busybox:1.36\n"
          << "    command: [sh, -c, \"read x < /go/" << name << "; exit 1\"]\n"
          << "    volumeMounts: [{name: go, mountPath: /go}]\n"
          << "  volumes: [{name: go, hostPath: {path: " << fs::absolute(go).string() << "}}]\n";
    }
    for (auto until = SteadyClock::now() + std::chrono::seconds(120); SteadyClock::now() < until;) {
      if (static_cast<int>(RunningPods(&rt, prefix).size()) == pods) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::thread trigger([&] {
      for (int i = 0; i < pods; ++i) {
        std::ofstream(go + "/" + prefix + std::to_string(i)) << "go\n";  // opens when the reader waits
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
    // Poll crilet's view every 5 ms: when does each pod's status first show the exit?
    std::map<std::string, int64_t> reported;  // pod -> wall ns
    auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (static_cast<int>(reported.size()) < pods && SteadyClock::now() < deadline) {
      std::string body, err;
      manifests::HttpFetch(server + "/pods", {}, std::chrono::seconds(2), &body, &err);
      int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      auto j = nlohmann::json::parse(body, nullptr, false);
      if (j.is_object()) {
        for (const auto& p : j["items"]) {
          std::string name = p["metadata"].value("name", "");
          if (name.rfind(prefix, 0) != 0 || reported.count(name)) continue;
          for (const auto& cs : p["status"].value("containerStatuses", nlohmann::json::array())) {
            if (cs.value("restartCount", 0) >= 1 || cs["state"].contains("terminated") || cs["lastState"].contains("terminated")) {
              reported[name] = now;
            }
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    trigger.join();
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the restarts run
    std::vector<double> report_ms, restart_ms;
    std::vector<cri::Container> list;
    rt.ListContainers({}, &list);
    for (const auto& [name, at] : reported) {
      int64_t finished = 0, restarted = 0;
      for (const auto& c : list) {
        auto it = c.labels.find(agent::kPodNameLabel);
        if (it == c.labels.end() || it->second.rfind(name, 0) != 0) continue;
        cri::ContainerStatus st;
        if (!rt.ContainerStatus(c.id, false, &st).ok()) continue;
        if (st.attempt == 0) finished = st.finished_at;
        if (st.attempt == 1) restarted = st.started_at;
      }
      if (finished == 0) continue;
      report_ms.push_back((at - finished) / 1e6);
      if (restarted) restart_ms.push_back((restarted - finished) / 1e6);
    }
    out = {{"report_ms", report_ms}, {"restart_ms", restart_ms}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}
