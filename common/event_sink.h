/// EventSink: where modules report kubelet-style events about a pod (Pulled, Started, Unhealthy...).
#pragma once

#include <string>

namespace crilet {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // type: "Normal" or "Warning". field_path: "spec.containers{web}", "spec.initContainers{init}" or "".
  virtual void Record(const std::string& pod_uid, const std::string& type, const std::string& reason,
                      const std::string& message, const std::string& field_path) = 0;
};

}  // namespace crilet
