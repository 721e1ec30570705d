// Image garbage collection: kubelet's decision (thresholds, eviction order, in use, pinned, minimum age) and the
// manager against the fake runtime with a fake clock (issue 20).
#include <catch2/catch.hpp>

#include "agent/events.h"
#include "agent/image_gc.h"
#include "agent/image_gc_policy.h"
#include "cli/daemon_config.h"
#include "cli/run_flags.h"
#include "cri/fake_runtime.h"
#include "manifests/kubelet_config.h"

using namespace crilet;
using namespace crilet::agent;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

cri::Image Img(const std::string& id, uint64_t size, bool pinned = false) {
  cri::Image i;
  i.id = id;
  i.repo_tags = {id};
  i.size = size;
  i.pinned = pinned;
  return i;
}

}  // namespace

TEST_CASE("image GC plan: usage, bytes to free and kubelet's eviction order", "[imagegc]") {
  FakeClock clock;
  TimePoint t0 = clock.Now();
  std::map<std::string, ImageRecord> records;
  // Three images seen at t0; "b" used at t0+1m, "a" at t0+2m, "c" never.
  DetectImages({Img("a", 100), Img("b", 200), Img("c", 300), Img("pause", 50, true)}, {}, t0, &records);
  DetectImages({Img("a", 100), Img("b", 200), Img("c", 300), Img("pause", 50, true)}, {"b"}, t0 + minutes(1), &records);
  DetectImages({Img("a", 100), Img("b", 200), Img("c", 300), Img("pause", 50, true)}, {"a"}, t0 + minutes(2), &records);
  ImageGcPolicy policy;  // 85 / 80 / 2m

  SECTION("below the high threshold: nothing") {
    // kubelet truncates available*100/capacity: 159 bytes free of 1000 is still 85%, 160 is 84%.
    CHECK(PlanImageGc(policy, 1000, 159, records, t0 + minutes(5)).usage_percent == 85);
    ImageGcPlan p = PlanImageGc(policy, 1000, 160, records, t0 + minutes(5));
    CHECK(p.usage_percent == 84);
    CHECK(!p.over_threshold);
    CHECK(p.candidates.empty());
  }
  SECTION("at the high threshold: free down to the low one, least recently used first") {
    ImageGcPlan p = PlanImageGc(policy, 1000, 150, records, t0 + minutes(5));
    CHECK(p.usage_percent == 85);
    CHECK(p.over_threshold);
    CHECK(p.bytes_to_free == 1000 * 20 / 100 - 150);
    // c (never used) first, then b (used at 1m), then a (2m); the pinned pause image never.
    CHECK(p.candidates == std::vector<std::string>{"c", "b", "a"});
  }
  SECTION("an image in use this run is not a candidate") {
    TimePoint now = t0 + minutes(5);
    DetectImages({Img("a", 100), Img("b", 200), Img("c", 300)}, {"c"}, now, &records);
    CHECK(PlanImageGc(policy, 1000, 0, records, now).candidates == std::vector<std::string>{"b", "a"});
    CHECK(!records.count("pause"));  // gone from the runtime: forgotten
  }
  SECTION("younger than imageMinimumGCAge: kept") {
    TimePoint now = t0 + minutes(5);
    DetectImages({Img("a", 100), Img("b", 200), Img("c", 300), Img("new", 400)}, {}, now - seconds(119), &records);
    CHECK(PlanImageGc(policy, 1000, 0, records, now).candidates == std::vector<std::string>{"c", "b", "a"});
    CHECK(PlanImageGc(policy, 1000, 0, records, now + seconds(1)).candidates ==
          std::vector<std::string>{"c", "new", "b", "a"});
  }
  SECTION("capacity 0 plans nothing; available above capacity counts as capacity") {
    CHECK(!PlanImageGc(policy, 0, 0, records, t0 + minutes(5)).over_threshold);
    CHECK(PlanImageGc(policy, 1000, 5000, records, t0 + minutes(5)).usage_percent == 0);
  }
  SECTION("thresholds are validated as kubelet's") {
    CHECK(ValidateImageGcPolicy(policy).empty());
    ImageGcPolicy bad = policy;
    bad.low_threshold_percent = 85;
    CHECK(ValidateImageGcPolicy(bad).find("must be less than") != std::string::npos);
    bad.high_threshold_percent = 101;
    CHECK(!ValidateImageGcPolicy(bad).empty());
  }
}

TEST_CASE("ImageGcManager: removes unused images until below the low threshold, never used or sandbox ones",
          "[imagegc]") {
  FakeClock clock;
  cri::FakeRuntime runtime(&clock);
  EventRecorder events(&clock);
  Metrics metrics;
  for (const char* i : {"busybox:1.36", "localhost/pause:3.9", "old-a", "old-b", "old-c"}) runtime.AddImage(i);
  runtime.SetImageSize("old-a", 300);
  runtime.SetImageSize("old-b", 300);
  runtime.SetImageSize("old-c", 300);
  runtime.SetImageFs("/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs");
  // A container of a pod uses busybox (the fake's image IDs are "sha256:<name>").
  std::string sandbox;
  REQUIRE(runtime.RunPodSandbox(cri::SandboxConfig{}, &sandbox).ok());
  cri::ContainerConfig cc;
  cc.name = "app";
  cc.image = "busybox:1.36";
  std::string container;
  REQUIRE(runtime.CreateContainer(sandbox, cc, cri::SandboxConfig{}, &container).ok());

  int64_t available = 100;  // of 1000: 90% used
  std::string statted;
  StatFs stat = [&](const std::string& path, FsSpace* out) {
    statted = path;
    out->capacity = 1000;
    out->available = available;
    return Status::Ok();
  };
  ImageGcOptions options;
  options.sandbox_image = "localhost/pause:3.9";
  options.node_name = "node1";
  ImageGcManager gc(options, &runtime, &clock, &events, &metrics, stat);

  // The first run sees every image for the first time: all younger than 2 minutes.
  Status first = gc.GarbageCollect();
  CHECK(statted == "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs");
  CHECK(runtime.CountCalls("RemoveImage") == 0);
  CHECK(!first.ok());
  CHECK(first.message().find("Attempted to free 100 bytes, but only found 0 bytes eligible to free.") !=
        std::string::npos);

  clock.Advance(minutes(2));
  // Each removal frees 300 bytes of the 100 needed: one image goes, the oldest detected first (all equal: by ID).
  CHECK(gc.GarbageCollect().ok());
  CHECK(runtime.CountCalls("RemoveImage") == 1);
  CHECK(runtime.CountCalls("RemoveImage sha256:old-a") == 1);
  bool evented = false;
  for (const auto& e : events.Events(gc.EventKey())) {
    if (e.reason == "ImageGarbageCollected" && e.message.find("old-a") != std::string::npos) evented = true;
  }
  CHECK(evented);

  SECTION("far over: every unused image goes, used and sandbox images stay") {
    available = 0;
    clock.Advance(minutes(5));
    // 200 bytes to free: old-b (the next in order) is enough.
    CHECK(gc.GarbageCollect().ok());
    CHECK(runtime.CountCalls("RemoveImage sha256:old-b") == 1);
    CHECK(runtime.CountCalls("RemoveImage sha256:old-c") == 0);
  }
  SECTION("far over with a low threshold of 0: all unused images, and the shortfall is an event") {
    ImageGcOptions o = options;
    o.policy.high_threshold_percent = 1;
    o.policy.low_threshold_percent = 0;
    o.policy.min_age = Duration::zero();
    ImageGcManager all(o, &runtime, &clock, &events, &metrics, stat);
    Status s = all.GarbageCollect();
    CHECK(!s.ok());
    CHECK(runtime.CountCalls("RemoveImage sha256:old-b") == 1);
    CHECK(runtime.CountCalls("RemoveImage sha256:old-c") == 1);
    CHECK(runtime.CountCalls("RemoveImage sha256:busybox:1.36") == 0);
    CHECK(runtime.CountCalls("RemoveImage sha256:localhost/pause:3.9") == 0);
    bool failed_event = false;
    for (const auto& e : events.Events(all.EventKey())) failed_event |= e.reason == "FreeDiskSpaceFailed";
    CHECK(failed_event);
  }
}

TEST_CASE("flags and KubeletConfiguration: cgroupsPerQOS, cgroupDriver and the image GC settings", "[imagegc][cgroups][flags]") {
  manifests::KubeletConfigFile file;
  std::vector<std::string> warnings;
  REQUIRE(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                        "staticPodPath: /m\ncgroupsPerQOS: false\ncgroupDriver: systemd\n"
                                        "cgroupRoot: /lab\nimageGCHighThresholdPercent: 90\n"
                                        "imageGCLowThresholdPercent: 70\nimageMinimumGCAge: 5m\n",
                                        "k.yaml", &file, &warnings)
              .ok());
  CHECK(warnings.empty());
  CHECK(file.ignored_fields.empty());
  cli::DaemonConfig defaults;
  CHECK(defaults.cgroups_per_qos);
  CHECK(defaults.cgroup_driver == "cgroupfs");
  CHECK(defaults.image_gc_high_threshold == 85);
  CHECK(defaults.image_gc_low_threshold == 80);
  CHECK(defaults.image_minimum_gc_age == minutes(2));

  cli::RunFlags none;
  cli::DaemonConfig d;
  REQUIRE(cli::ResolveDaemonConfig(none, &file, &d).ok());
  CHECK(!d.cgroups_per_qos);
  CHECK(d.cgroup_driver == "systemd");
  CHECK(d.cgroup_root == "/lab");
  CHECK(d.image_gc_high_threshold == 90);
  CHECK(d.image_gc_low_threshold == 70);
  CHECK(d.image_minimum_gc_age == minutes(5));

  auto parsed = cli::ParseRunFlags({"--cgroups-per-qos=true", "--cgroup-driver", "cgroupfs", "--image-gc-high-threshold",
                                    "60", "--image-gc-low-threshold=50", "--minimum-image-ttl-duration", "0s",
                                    "--pod-infra-container-image", "localhost/pause:3.9", "--image-gc-period", "3s"});
  REQUIRE(parsed.error.empty());
  CHECK(parsed.flags.ignored_flags.empty());
  cli::DaemonConfig f;
  REQUIRE(cli::ResolveDaemonConfig(parsed.flags, &file, &f).ok());  // flags override the file
  CHECK(f.cgroups_per_qos);
  CHECK(f.cgroup_driver == "cgroupfs");
  CHECK(f.image_gc_high_threshold == 60);
  CHECK(f.image_gc_low_threshold == 50);
  CHECK(f.image_minimum_gc_age == Duration::zero());
  CHECK(f.pod_infra_container_image == "localhost/pause:3.9");
  CHECK(f.image_gc_period == seconds(3));

  auto bad = cli::ParseRunFlags({"--image-gc-low-threshold=95"});
  cli::DaemonConfig b;
  Status s = cli::ResolveDaemonConfig(bad.flags, &file, &b);
  CHECK(s.message() == "invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 95 must be less "
                       "than imageGCHighThresholdPercent (--image-gc-high-threshold) 90");
  auto driver = cli::ParseRunFlags({"--cgroup-driver", "cgroupfs2"});
  cli::DaemonConfig dd;
  CHECK(cli::ResolveDaemonConfig(driver.flags, &file, &dd).message() == "--cgroup-driver cgroupfs2: must be cgroupfs or systemd");
  CHECK(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                      "cgroupsPerQOS: maybe\n", "k.yaml", &file, &warnings)
            .message()
            .find("cgroupsPerQOS: must be true or false") != std::string::npos);
}

TEST_CASE("imageMaximumGCAge: kubelet's freeOldImages", "[imagegc]") {
  FakeClock clock;
  TimePoint began = clock.Now();
  TimePoint t0 = began + minutes(1);
  std::map<std::string, ImageRecord> records;
  // "used" was used at t0, "never" never, "pinned" is the runtime's, "busy" is in use at every run.
  DetectImages({Img("used", 1), Img("never", 1), Img("pinned", 1, true), Img("busy", 1)}, {"used", "busy"}, t0, &records);
  ImageGcPolicy policy;
  policy.max_age = minutes(10);

  SECTION("off at 0") {
    policy.max_age = Duration::zero();
    CHECK(ImagesOverMaxAge(policy, records, t0 + std::chrono::hours(24), began).empty());
  }
  SECTION("nothing until the GC has run for longer than the maximum age (a restart forgets lastUsed)") {
    CHECK(ImagesOverMaxAge(policy, records, began + minutes(10), began).empty());
  }
  SECTION("then every image unused for longer than it, never used ones too; not pinned or in use ones") {
    TimePoint now = began + minutes(10) + seconds(1);
    DetectImages({Img("used", 1), Img("never", 1), Img("pinned", 1, true), Img("busy", 1)}, {"busy"}, now, &records);
    CHECK(ImagesOverMaxAge(policy, records, now, began) == std::vector<std::string>{"never"});
    now = t0 + minutes(10) + seconds(1);
    DetectImages({Img("used", 1), Img("never", 1), Img("pinned", 1, true), Img("busy", 1)}, {"busy"}, now, &records);
    CHECK(ImagesOverMaxAge(policy, records, now, began) == std::vector<std::string>{"never", "used"});
  }
  SECTION("validated as kubelet's: not negative, above imageMinimumGCAge") {
    CHECK(ValidateImageGcPolicy(policy).empty());
    policy.max_age = minutes(2);
    CHECK(ValidateImageGcPolicy(policy) == "imageMaximumGCAge must be greater than imageMinimumGCAge");
    policy.max_age = -minutes(1);
    CHECK(ValidateImageGcPolicy(policy) == "imageMaximumGCAge must not be negative");
  }
}

TEST_CASE("ImageGcManager: images unused past imageMaximumGCAge go whatever the disk usage", "[imagegc]") {
  FakeClock clock;
  cri::FakeRuntime runtime(&clock);
  EventRecorder events(&clock);
  Metrics metrics;
  metrics.Declare("crilet_image_garbage_collected_total", Metrics::Type::kCounter, "removed");
  for (const char* i : {"busybox:1.36", "old", "localhost/pause:3.9"}) runtime.AddImage(i);
  std::string sandbox;
  REQUIRE(runtime.RunPodSandbox(cri::SandboxConfig{}, &sandbox).ok());
  cri::ContainerConfig cc;
  cc.name = "app";
  cc.image = "busybox:1.36";
  std::string container;
  REQUIRE(runtime.CreateContainer(sandbox, cc, cri::SandboxConfig{}, &container).ok());
  StatFs empty_disk = [](const std::string&, FsSpace* out) {
    out->capacity = 1000;
    out->available = 1000;  // 0% used: the thresholds never act
    return Status::Ok();
  };
  ImageGcOptions options;
  options.sandbox_image = "localhost/pause:3.9";
  options.node_name = "node1";
  options.policy.max_age = minutes(10);
  ImageGcManager gc(options, &runtime, &clock, &events, &metrics, empty_disk);
  CHECK(gc.GarbageCollect().ok());
  clock.Advance(minutes(10));
  CHECK(gc.GarbageCollect().ok());
  CHECK(runtime.CountCalls("RemoveImage") == 0);  // not yet longer than the maximum age since the start
  clock.Advance(seconds(1));
  CHECK(gc.GarbageCollect().ok());
  CHECK(runtime.CountCalls("RemoveImage") == 1);
  CHECK(runtime.CountCalls("RemoveImage sha256:old") == 1);
  CHECK(metrics.Value("crilet_image_garbage_collected_total", {{"reason", "age"}}) == 1);
  bool evented = false;
  for (const auto& e : events.Events(gc.EventKey())) {
    evented |= e.reason == "ImageGarbageCollected" && e.message.find("unused for longer than imageMaximumGCAge 10m0s") != std::string::npos;
  }
  CHECK(evented);

  // The flag and the field, with kubelet's validation.
  manifests::KubeletConfigFile file;
  std::vector<std::string> warnings;
  REQUIRE(manifests::ParseKubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                        "staticPodPath: /m\nimageMaximumGCAge: 1h\n",
                                        "k.yaml", &file, &warnings)
              .ok());
  CHECK(file.ignored_fields.empty());
  cli::DaemonConfig d;
  REQUIRE(cli::ResolveDaemonConfig(cli::RunFlags{}, &file, &d).ok());
  CHECK(d.image_maximum_gc_age == std::chrono::hours(1));
  auto parsed = cli::ParseRunFlags({"--image-maximum-gc-age", "150s"});
  REQUIRE(parsed.error.empty());
  CHECK(parsed.flags.ignored_flags.empty());
  cli::DaemonConfig f;
  REQUIRE(cli::ResolveDaemonConfig(parsed.flags, &file, &f).ok());
  CHECK(f.image_maximum_gc_age == seconds(150));
  auto too_young = cli::ParseRunFlags({"--image-maximum-gc-age", "1m"});
  CHECK(cli::ResolveDaemonConfig(too_young.flags, &file, &f).message() ==
        "invalid configuration: imageMaximumGCAge 1m0s must be greater than imageMinimumGCAge 2m0s");
}
