/// LocalStatusSource: the status server's answers computed in the CLI from the manifest directory and the runtime, for a crilet whose read-only port is off.
#pragma once

#include <memory>
#include <string>

#include "agent/status_store.h"
#include "cli/daemon_config.h"
#include "cli/local_pod_record.h"
#include "cli/status_source.h"
#include "common/clock.h"
#include "cri/runtime.h"

namespace crilet::cli {

// Each request reads the manifests and the runtime afresh (so wait, delete --wait and get -w see changes)
// and answers through the status server's own routes, so the JSON is the server's. The agent's checkpoints
// (<root-dir>/pods/<uid>/checkpoint.json; the root dir is read from the sandboxes' io.crilet.root-dir
// label) give start times, readiness and crash backoff. What only the running agent knows is not there:
// events (/events answers Unavailable, describe shows none), image pull failures, /metrics.
class LocalStatusSource : public StatusSource {
 public:
  // `config`: the daemon's resolved settings; `origin` names where they came from in messages (the config
  // file). `runtime` is the daemon's runtime (a CRI client, or a fake); `clock` must outlive this.
  LocalStatusSource(DaemonConfig config, std::string origin, std::unique_ptr<cri::Runtime> runtime, const Clock* clock);
  ~LocalStatusSource() override;

  Status GetJson(const std::string& path, nlohmann::json* out) const override;
  Status GetText(const std::string& path, long* code, std::string* body) const override;
  std::string Name() const override;

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  Answer Serve(const std::string& target) const;
  // The records the agent would publish: the manifests' pods (observed when `runtime_up`), then the
  // departing ones (Terminating).
  void FillStore(const std::vector<cri::Sandbox>& sandboxes, const std::vector<manifests::Pod>& pods,
                 const InstanceIdentity& instance, bool runtime_up, agent::StatusStore* store) const;
  agent::PodRecord Record(const manifests::Pod& pod, const agent::ObservedPod& obs, const agent::PodCheckpoint* checkpoint,
                          TimePoint now) const;

  DaemonConfig config_;
  std::string origin_;
  std::string node_name_, node_ip_;
  std::unique_ptr<cri::Runtime> runtime_;
  const Clock* clock_;
};

// The LocalStatusSource for the crilet that the KubeletConfiguration at `config_file` describes, with a CRI
// client for its containerRuntimeEndpoint.
Status OpenLocalStatusSource(const std::string& config_file, std::unique_ptr<StatusSource>* out);

}  // namespace crilet::cli
