/// ClaimVolumes: the node's local PersistentVolumeClaims: current bindings, provisioned directories, which pods mount them.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/claim_binding.h"
#include "common/status.h"
#include "manifests/local_objects.h"
#include "manifests/pod.h"

namespace crilet::agent {

// Thread-safe (one mutex, mu_, guards all state). `objects` must be thread-safe and outlive this.
// Bindings to PersistentVolume documents and the pods mounting each claim are kept in `state_file` (JSON,
// written to a temporary file and renamed), so a crilet restart keeps each claim on the volume that holds
// its data and ReadWriteOncePod with its pod; a provisioned claim's directory is a fixed path
// (<base>/<namespace>/<name>), so it needs no record.
class ClaimVolumes {
 public:
  ClaimVolumes(std::function<manifests::LocalObjects()> objects, std::string base, std::string state_file);
  ClaimVolumes(const ClaimVolumes&) = delete;
  ClaimVolumes& operator=(const ClaimVolumes&) = delete;

  // Recomputes the bindings from the declared claims and volumes, creates provisioned directories (0777,
  // as local-path provisioners make them) and records PV bindings. Returns them in declaration order.
  std::vector<ClaimBinding> Refresh();
  // Fills volume name -> bound directory for each persistentVolumeClaim volume of the pod, and records pod
  // `uid` as a user of those claims. Fails (the pod waits and retries) when a claim is missing
  // (`persistentvolumeclaim "x" not found`), Pending, or ReadWriteOncePod and mounted by another pod.
  Status Mount(const manifests::Pod& pod, const std::string& uid, std::map<std::string, std::string>* paths);
  // Pod `uid` already has containers (started by an earlier crilet): records it as a user of its claims
  // without checks, so ReadWriteOncePod holds across a crilet restart.
  void Adopt(const manifests::Pod& pod, const std::string& uid);
  // Pod `uid` is gone (its files were removed): its claims are free, and reaping may go on.
  void Release(const std::string& uid);
  // The desired pods changed (`sources_ready`: every source has answered): deletes the provisioned
  // directories DirectoriesToDelete names, keeping those the pods or mounted claims use.
  void Reap(const std::vector<manifests::Pod>& desired, bool sources_ready);
  // The pod UIDs mounting each claim (claim key -> UIDs), for `crilet get pvc -o wide` and describe.
  std::map<std::string, std::set<std::string>> Users() const;

 private:
  std::vector<ClaimBinding> RefreshLocked(const manifests::LocalObjects& objects);
  void ReapLocked();
  void SaveLocked();

  std::function<manifests::LocalObjects()> objects_;
  const std::string base_;
  const std::string state_file_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> previous_;            // claim key -> PV name
  std::map<std::string, std::set<std::string>> holders_;   // claim key -> pod UIDs mounting it
  std::set<std::string> restored_;                          // user UIDs read from state_file_, not yet confirmed
  std::set<std::string> seen_;                              // claim keys declared at some point in this run
  std::set<std::string> declared_;                          // claim keys declared now
  std::set<std::string> desired_use_;                       // claim keys the desired pods name
  bool reap_ready_ = false;                                 // sources answered once: reaping may delete
};

}  // namespace crilet::agent
