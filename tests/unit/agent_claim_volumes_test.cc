// ClaimVolumes on a scratch directory: provisioning, mounting, ReadWriteOncePod across a restart, reaping.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/claim_volumes.h"

using namespace crilet;
using namespace crilet::agent;

namespace {

struct Scratch {
  std::string dir = (std::filesystem::temp_directory_path() / ("crilet-claims-" + std::to_string(::getpid()))).string();
  Scratch() { std::filesystem::create_directories(dir); }
  ~Scratch() { std::filesystem::remove_all(dir); }
};

manifests::LocalObjects WithClaim(const std::string& name, const std::string& mode) {
  manifests::LocalObjects o;
  manifests::PersistentVolumeClaim c;
  c.name = name;
  c.namespace_ = "test";
  c.access_modes = {mode};
  std::string err;
  c.storage_request = manifests::ParseQuantity("1Gi", &err);
  o.claims.push_back(c);
  return o;
}

manifests::Pod PodUsing(const std::string& uid, const std::string& claim) {
  manifests::Pod p;
  p.metadata.name = "p-" + uid;
  p.metadata.namespace_ = "test";
  p.metadata.uid = uid;
  manifests::Volume v;
  v.name = "data";
  v.persistent_volume_claim = manifests::PersistentVolumeClaimVolumeSource{claim, false};
  p.spec.volumes.push_back(v);
  return p;
}

}  // namespace

TEST_CASE("ClaimVolumes provisions, mounts, holds ReadWriteOncePod across a restart and reaps", "[agent][pvc]") {
  Scratch s;
  manifests::LocalObjects objects = WithClaim("solo", "ReadWriteOncePod");
  auto source = [&] { return objects; };
  const std::string base = s.dir + "/pv", state = s.dir + "/pvc-bindings.json";
  const std::string path = base + "/test/solo";
  {
    ClaimVolumes claims(source, base, state);
    auto b = claims.Refresh();
    REQUIRE(b.size() == 1);
    CHECK(b[0].phase == "Bound");
    CHECK(std::filesystem::is_directory(path));
    std::map<std::string, std::string> paths;
    REQUIRE(claims.Mount(PodUsing("a", "solo"), "a", &paths).ok());
    CHECK(paths["data"] == path);
    Status second = claims.Mount(PodUsing("b", "solo"), "b", &paths);
    CHECK(second.message() == "volume data: persistentvolumeclaim \"solo\": node has pod using PersistentVolumeClaim "
                              "with the same name and ReadWriteOncePod access mode");
    Status missing = claims.Mount(PodUsing("c", "nope"), "c", &paths);
    CHECK(missing.message() == "volume data: persistentvolumeclaim \"nope\" not found");
  }
  // A new instance (crilet restarted) still knows pod a uses the claim.
  ClaimVolumes claims(source, base, state);
  std::map<std::string, std::string> paths;
  CHECK_FALSE(claims.Mount(PodUsing("b", "solo"), "b", &paths).ok());
  std::ofstream(path + "/file") << "data";
  // The claim is removed while pod a still runs: the directory stays until pod a is gone.
  claims.Reap({PodUsing("a", "solo")}, true);
  objects = {};
  claims.Reap({PodUsing("a", "solo")}, true);
  CHECK(std::filesystem::exists(path + "/file"));
  claims.Reap({}, true);
  CHECK(std::filesystem::exists(path + "/file"));  // a is still a user (stopping)
  claims.Release("a");
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("ClaimVolumes never deletes a directory whose claim it has not seen in this run", "[agent][pvc]") {
  Scratch s;
  const std::string base = s.dir + "/pv";
  std::filesystem::create_directories(base + "/test/old");
  ClaimVolumes claims([] { return manifests::LocalObjects{}; }, base, s.dir + "/state.json");
  claims.Reap({}, true);
  CHECK(std::filesystem::is_directory(base + "/test/old"));
}
