// BindClaims, DirectoriesToDelete and ReadWriteOncePod: the PV controller's matching and the reaper's decision, as tables.
#include <catch2/catch.hpp>

#include "agent/claim_binding.h"

using namespace crilet;
using namespace crilet::agent;
using manifests::PersistentVolume;
using manifests::PersistentVolumeClaim;

namespace {

manifests::Quantity Q(const std::string& text) {
  std::string err;
  return *manifests::ParseQuantity(text, &err);
}

PersistentVolumeClaim Claim(const std::string& name, const std::string& size, std::vector<std::string> modes = {"ReadWriteOnce"}) {
  PersistentVolumeClaim c;
  c.name = name;
  c.namespace_ = "test";
  c.access_modes = std::move(modes);
  c.storage_request = Q(size);
  return c;
}

PersistentVolume Volume(const std::string& name, const std::string& size, std::vector<std::string> modes = {"ReadWriteOnce"}) {
  PersistentVolume v;
  v.name = name;
  v.path = "/srv/" + name;
  v.source_kind = "hostPath";
  v.capacity = Q(size);
  v.access_modes = std::move(modes);
  return v;
}

const std::string kBase = "/var/lib/crilet/persistent-volumes";

}  // namespace

TEST_CASE("a claim without a fitting PV is provisioned under the base directory with reclaim Delete", "[agent][pvc]") {
  auto b = BindClaims({Claim("data", "1Gi")}, {}, {}, kBase);
  REQUIRE(b.size() == 1);
  CHECK(b[0].phase == "Bound");
  CHECK(b[0].provisioned);
  CHECK(b[0].path == kBase + "/test/data");
  CHECK(b[0].volume_name == "pvc-test-data");
  CHECK(b[0].reclaim_policy == "Delete");
  CHECK(b[0].capacity == "1Gi");
  CHECK(b[0].access_modes == std::vector<std::string>{"ReadWriteOnce"});
}

TEST_CASE("a claim binds to the smallest fitting PV of its class and modes", "[agent][pvc]") {
  std::vector<PersistentVolume> pvs = {Volume("big", "10Gi"), Volume("small", "500Mi"), Volume("fit", "2Gi"),
                                       Volume("fit-b", "2Gi"), Volume("rox", "1Gi", {"ReadOnlyMany"})};
  auto b = BindClaims({Claim("data", "1Gi")}, pvs, {}, kBase);
  REQUIRE(b.size() == 1);
  CHECK(b[0].volume_name == "fit");  // 2Gi beats 10Gi; "fit" before "fit-b" on a tie; 500Mi is too small
  CHECK(b[0].path == "/srv/fit");
  CHECK_FALSE(b[0].provisioned);
  CHECK(b[0].reclaim_policy == "Retain");

  // Another storage class never matches; the claim is provisioned instead.
  auto fast = Claim("data", "1Gi");
  fast.storage_class_name = "fast";
  CHECK(BindClaims({fast}, pvs, {}, kBase)[0].provisioned);
  // All requested modes must be offered.
  auto many = BindClaims({Claim("data", "1Gi", {"ReadWriteOnce", "ReadOnlyMany"})}, pvs, {}, kBase);
  CHECK(many[0].provisioned);
}

TEST_CASE("two claims never share a PV, and the result does not depend on document order", "[agent][pvc]") {
  std::vector<PersistentVolume> pvs = {Volume("one", "1Gi")};
  auto ab = BindClaims({Claim("a", "1Gi"), Claim("b", "1Gi")}, pvs, {}, kBase);
  auto ba = BindClaims({Claim("b", "1Gi"), Claim("a", "1Gi")}, pvs, {}, kBase);
  REQUIRE(ab.size() == 2);
  CHECK(ab[0].name == "a");
  CHECK(ab[0].volume_name == "one");
  CHECK(ab[1].provisioned);
  CHECK(ba[1].name == "a");
  CHECK(ba[1].volume_name == "one");
  CHECK(ba[0].provisioned);
}

TEST_CASE("an earlier binding is kept while its PV exists and fits, even when a better fit appears", "[agent][pvc]") {
  std::vector<PersistentVolume> pvs = {Volume("large", "10Gi"), Volume("exact", "1Gi")};
  auto b = BindClaims({Claim("data", "1Gi"), Claim("a-first", "1Gi")}, pvs, {{"test/data", "large"}}, kBase);
  CHECK(b[0].volume_name == "large");
  CHECK(b[1].volume_name == "exact");  // "a-first" sorts first but the bound claim keeps its PV
  // The PV went away: the claim binds afresh.
  auto gone = BindClaims({Claim("data", "1Gi")}, {Volume("exact", "1Gi")}, {{"test/data", "large"}}, kBase);
  CHECK(gone[0].volume_name == "exact");
}

TEST_CASE("volumeName and claimRef are honoured, with the PV controller's Pending messages", "[agent][pvc]") {
  auto named = Claim("data", "1Gi");
  named.volume_name = "pv1";
  auto missing = BindClaims({named}, {}, {}, kBase);
  CHECK(missing[0].phase == "Pending");
  CHECK(missing[0].message == "volume \"pv1\" not found");

  auto small = BindClaims({named}, {Volume("pv1", "100Mi")}, {}, kBase);
  CHECK(small[0].phase == "Pending");
  CHECK(small[0].message == "Cannot bind to requested volume \"pv1\": requested PV is too small");

  auto modes = BindClaims({named}, {Volume("pv1", "1Gi", {"ReadOnlyMany"})}, {}, kBase);
  CHECK(modes[0].message == "Cannot bind to requested volume \"pv1\": incompatible accessMode");

  auto reserved = Volume("pv1", "1Gi");
  reserved.claim_ref_namespace = "test";
  reserved.claim_ref_name = "other";
  auto taken = BindClaims({named}, {reserved}, {}, kBase);
  CHECK(taken[0].message == "volume \"pv1\" already bound to a different claim.");
  // A PV reserved for another claim is not chosen by matching either.
  CHECK(BindClaims({Claim("data", "1Gi")}, {reserved}, {}, kBase)[0].provisioned);

  // A claimRef to this claim wins over a smaller free PV.
  auto mine = Volume("mine", "5Gi");
  mine.claim_ref_namespace = "test";
  mine.claim_ref_name = "data";
  CHECK(BindClaims({Claim("data", "1Gi")}, {Volume("free", "1Gi"), mine}, {}, kBase)[0].volume_name == "mine");

  auto ok = BindClaims({named}, {Volume("pv1", "1Gi")}, {}, kBase);
  CHECK(ok[0].phase == "Bound");
  CHECK(ok[0].path == "/srv/pv1");
}

TEST_CASE("storageClassName \"\" asks for a pre-made PV only: Pending without one", "[agent][pvc]") {
  auto c = Claim("data", "1Gi");
  c.storage_class_name = "";
  auto b = BindClaims({c}, {}, {}, kBase);
  CHECK(b[0].phase == "Pending");
  CHECK(b[0].message == "no persistent volumes available for this claim and no storage class is set");
  CHECK(BindClaims({c}, {Volume("pv", "1Gi")}, {}, kBase)[0].volume_name == "pv");
}

TEST_CASE("a provisioned directory is deleted only when its claim was removed and no pod uses it", "[agent][pvc]") {
  std::vector<ProvisionedDirectory> disk = {{"test", "kept"}, {"test", "removed"}, {"test", "used"}, {"test", "stranger"}};
  std::set<std::string> declared = {"test/kept"};
  std::set<std::string> seen = {"test/kept", "test/removed", "test/used"};
  std::set<std::string> in_use = {"test/used"};
  auto del = DirectoriesToDelete(disk, declared, seen, in_use);
  REQUIRE(del.size() == 1);
  CHECK(del[0] == ProvisionedDirectory{"test", "removed"});
  // Never seen declared in this run (a claim removed while crilet was down, a file that fails to parse at
  // start): kept.
  CHECK(DirectoriesToDelete(disk, {}, {}, {}).empty());
  // Once the last pod is gone, the removed claim's directory goes too.
  CHECK(DirectoriesToDelete(disk, declared, seen, {}).size() == 2);
}

TEST_CASE("ReadWriteOncePod lets one pod on the node mount the claim", "[agent][pvc]") {
  const std::vector<std::string> rwop = {"ReadWriteOncePod"}, rwo = {"ReadWriteOnce"};
  CHECK(CheckReadWriteOncePod(rwop, {}, "uid-a").empty());
  CHECK(CheckReadWriteOncePod(rwop, {"uid-a"}, "uid-a").empty());  // the same pod again (a container restart)
  CHECK(CheckReadWriteOncePod(rwop, {"uid-a"}, "uid-b") ==
        "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode");
  CHECK(CheckReadWriteOncePod(rwo, {"uid-a"}, "uid-b").empty());  // RWO is per node: pods on it share
}
