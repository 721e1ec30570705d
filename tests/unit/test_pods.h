/// Builders for Pod and ObservedPod literals used across agent unit tests.
#pragma once

#include <string>

#include "agent/labels.h"
#include "agent/observed.h"
#include "common/clock.h"
#include "manifests/pod.h"

namespace crilet::testing {

inline manifests::Container MakeContainer(const std::string& name, const std::string& image = "busybox:1.36") {
  manifests::Container c;
  c.name = name;
  c.image = image;
  c.image_pull_policy = "IfNotPresent";
  c.termination_message_path = "/dev/termination-log";
  c.termination_message_policy = "File";
  return c;
}

// A defaulted static pod "web-node1" in "default" with the given regular containers.
inline manifests::Pod MakePod(std::vector<std::string> containers = {"app"}, const std::string& restart = "Always") {
  manifests::Pod p;
  p.api_version = "v1";
  p.kind = "Pod";
  p.metadata.name = "web-node1";
  p.metadata.namespace_ = "default";
  p.metadata.uid = "0123456789abcdef0123456789abcdef";
  p.metadata.annotations["kubernetes.io/config.source"] = "file";
  p.spec.restart_policy = restart;
  p.spec.termination_grace_period_seconds = 30;
  p.spec.dns_policy = "ClusterFirst";
  p.spec.node_name = "node1";
  for (const auto& n : containers) p.spec.containers.push_back(MakeContainer(n));
  return p;
}

inline agent::ObservedSandbox ReadySandbox(const std::string& id = "sb1", uint32_t attempt = 0) {
  agent::ObservedSandbox s;
  s.id = id;
  s.attempt = attempt;
  s.state = cri::SandboxState::kReady;
  s.ip = "10.88.0.5";
  return s;
}

// An instance of the pod's container `name` (regular or init) with the spec's hash, in sandbox sb1.
inline agent::ObservedContainer Instance(const manifests::Pod& pod, const std::string& name, cri::ContainerState state,
                                         int32_t exit_code = 0, int64_t finished_at = 0, const std::string& id = "",
                                         int32_t restart_count = 0) {
  agent::ObservedContainer c;
  c.id = id.empty() ? "id-" + name + "-" + std::to_string(restart_count) : id;
  c.sandbox_id = "sb1";
  c.name = name;
  c.state = state;
  c.exit_code = exit_code;
  c.created_at = 1;
  c.started_at = 2;
  c.finished_at = finished_at;
  c.restart_count = restart_count;
  if (state == cri::ContainerState::kExited) c.reason = exit_code == 0 ? "Completed" : "Error";
  for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers}) {
    for (const auto& spec : *list) {
      if (spec.name == name) c.hash = agent::ContainerHash(spec);
    }
  }
  return c;
}

}  // namespace crilet::testing
