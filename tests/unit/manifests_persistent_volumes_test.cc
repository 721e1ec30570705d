// PersistentVolumeClaim and PersistentVolume documents: reading, the API server's checks with file:line paths.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "manifests/loader.h"
#include "manifests/local_object_reader.h"

using namespace crilet;
using namespace crilet::manifests;

namespace {

LocalObjectDocument Read(const std::string& yaml) { return ReadLocalObject(YAML::Load(yaml), "pvc.yaml"); }

std::string Joined(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.ToString() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a PersistentVolumeClaim is read with its modes, request, class and volume name", "[manifests][pvc]") {
  auto d = Read(R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: test}
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: Filesystem
  storageClassName: fast
  volumeName: pv1
  resources: {requests: {storage: 1Gi}}
)");
  INFO(Joined(d.errors));
  REQUIRE(d.claim);
  CHECK(d.claim->name == "data");
  CHECK(d.claim->namespace_ == "test");
  CHECK(d.claim->access_modes == std::vector<std::string>{"ReadWriteOnce"});
  REQUIRE(d.claim->storage_request);
  CHECK(d.claim->storage_request->Value() == 1073741824);
  CHECK(d.claim->storage_class_name == std::optional<std::string>("fast"));
  CHECK(d.claim->volume_name == "pv1");
}

TEST_CASE("PVC validation names file, line and field path", "[manifests][pvc]") {
  auto d = Read(R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: Data_1}
spec:
  accessModes: [ReadWriteOncePod, ReadWriteSometimes]
)");
  std::string e = Joined(d.errors);
  CHECK_FALSE(d.claim);
  CHECK(e.find("pvc.yaml:3: metadata.name: invalid value \"Data_1\"") != std::string::npos);
  CHECK(e.find("pvc.yaml:5: spec.accessModes[1]: unsupported value \"ReadWriteSometimes\"") != std::string::npos);
  CHECK(e.find("spec.accessModes: may not use ReadWriteOncePod with other access modes") != std::string::npos);
  CHECK(e.find("spec.resources.requests[storage]: required") != std::string::npos);

  auto none = Read("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {resources: {requests: {storage: 0}}}\n");
  CHECK(Joined(none.errors).find("spec.accessModes: required: at least 1 access mode is required") != std::string::npos);
  CHECK(Joined(none.errors).find("spec.resources.requests[storage]: must be greater than zero") != std::string::npos);

  auto block = Read("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec:\n  volumeMode: Block\n"
                    "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n");
  CHECK(Joined(block.errors).find("pvc.yaml:5: spec.volumeMode: unsupported value \"Block\"") != std::string::npos);
}

TEST_CASE("a PersistentVolume has a hostPath or local source, capacity and a reclaim policy", "[manifests][pvc]") {
  auto d = Read(R"(apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Delete
  storageClassName: fast
  claimRef: {namespace: test, name: data}
  local: {path: /mnt/disk1}
  nodeAffinity: {}
)");
  INFO(Joined(d.errors));
  REQUIRE(d.persistent_volume);
  const auto& pv = *d.persistent_volume;
  CHECK(pv.source_kind == "local");
  CHECK(pv.path == "/mnt/disk1");
  CHECK(pv.reclaim_policy == "Delete");
  CHECK(pv.claim_ref_namespace == "test");
  CHECK(pv.claim_ref_name == "data");
  CHECK(pv.capacity->Value() == 5LL * 1024 * 1024 * 1024);

  auto dflt = Read("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv2}\nspec:\n  capacity: {storage: 1Gi}\n"
                   "  accessModes: [ReadWriteOnce]\n  hostPath: {path: /srv/pv2}\n");
  REQUIRE(dflt.persistent_volume);
  CHECK(dflt.persistent_volume->reclaim_policy == "Retain");  // the API's default for a PV made by hand

  auto bad = Read(R"(apiVersion: v1
kind: PersistentVolume
metadata: {name: pv3}
spec:
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Recycle
  hostPath: {path: relative/dir}
  nfs: {server: x, path: /y}
)");
  std::string e = Joined(bad.errors);
  CHECK(e.find("pvc.yaml:8: spec.nfs: unsupported volume type") != std::string::npos);
  auto bad2 = Read("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv3}\nspec:\n  accessModes: [ReadWriteOnce]\n"
                   "  persistentVolumeReclaimPolicy: Recycle\n  hostPath: {path: relative/dir}\n");
  std::string e2 = Joined(bad2.errors);
  CHECK(e2.find("pvc.yaml:6: spec.persistentVolumeReclaimPolicy: Recycle is deprecated") != std::string::npos);
  CHECK(e2.find("pvc.yaml:7: spec.hostPath.path: must be an absolute path") != std::string::npos);
  CHECK(e2.find("spec.capacity[storage]: required") != std::string::npos);
}

TEST_CASE("a manifest file holds a PVC and the pod that mounts it", "[manifests][pvc]") {
  LoadOptions lo;
  lo.node_name = "node1";
  lo.source = PodSource{"file", "/etc/kubernetes/manifests/app.yaml", 0};
  LoadResult r = LoadManifest(R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: test}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: test}
spec:
  containers: [{name: c, image: busybox, volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data, readOnly: true}}]
)",
                              lo);
  INFO(Joined(r.errors));
  REQUIRE(r.errors.empty());
  REQUIRE(r.objects.claims.size() == 1);
  CHECK(r.objects.claims[0].source.path == "/etc/kubernetes/manifests/app.yaml");
  REQUIRE(r.pods.size() == 1);
  REQUIRE(r.pods[0].spec.volumes.size() == 1);
  const auto& v = r.pods[0].spec.volumes[0];
  REQUIRE(v.persistent_volume_claim);
  CHECK_FALSE(v.empty_dir);  // not defaulted to an emptyDir
  CHECK(v.persistent_volume_claim->claim_name == "data");
  CHECK(v.persistent_volume_claim->read_only);

  LoadResult bad = LoadManifest("apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: c, image: b}]\n"
                                "  volumes: [{name: d, persistentVolumeClaim: {claimName: Bad_Name}}]\n",
                                lo);
  CHECK(Joined(bad.errors).find("spec.volumes[0].persistentVolumeClaim.claimName") != std::string::npos);
}
