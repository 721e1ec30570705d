// Pod and container lookup through the status server.
#include "cli/pod_lookup.h"


namespace crilet::cli {

Status FindPod(const StatusSource& source, const std::string& ns, const std::string& pod, const std::string& query,
               nlohmann::json* out) {
  Status s = source.GetJson("/pods/" + ns + "/" + pod + query, out);
  if (!s.IsNotFound()) return s;
  // Users often type the manifest's name; static pods carry the node suffix.
  nlohmann::json list;
  if (source.GetJson("/pods", &list).ok()) {
    for (const auto& p : list["items"]) {
      std::string name = p["metadata"].value("name", "");
      if (p["metadata"].value("namespace", "") == ns && name == pod + "-" + p["spec"].value("nodeName", "")) {
        return source.GetJson("/pods/" + ns + "/" + name + query, out);
      }
    }
  }
  return Status::NotFound("no pod \"" + pod + "\" in namespace " + ns + " on this node; 'crilet get pods' lists them");
}

Status FindContainer(const StatusSource& source, const std::string& ns, const std::string& pod,
                     const std::string& container, ContainerRef* out) {
  nlohmann::json j;
  if (Status s = FindPod(source, ns, pod, "", &j); !s.ok()) return s;
  std::vector<std::pair<std::string, bool>> names;  // name, init
  for (const auto& c : j["spec"].value("containers", nlohmann::json::array())) names.emplace_back(c.value("name", ""), false);
  for (const auto& c : j["spec"].value("initContainers", nlohmann::json::array())) names.emplace_back(c.value("name", ""), true);
  std::string all;
  for (const auto& [n, init] : names) all += (all.empty() ? "" : " ") + n;
  std::string want = container;
  if (want.empty()) {
    size_t regular = j["spec"].value("containers", nlohmann::json::array()).size();
    if (regular != 1) {
      return Status::InvalidArgument("a container name must be specified for pod " + j["metadata"].value("name", pod) +
                                     ", choose one of: [" + all + "] (with -c NAME)");
    }
    want = names[0].first;
  }
  bool found = false;
  for (const auto& [n, init] : names) {
    if (n == want) {
      found = true;
      out->init = init;
    }
  }
  if (!found) {
    return Status::NotFound("container \"" + want + "\" is not valid for pod " + j["metadata"].value("name", pod) +
                            "; its containers are: [" + all + "]");
  }
  out->pod = j;
  out->name = want;
  out->status = nlohmann::json::object();
  for (const char* key : {"containerStatuses", "initContainerStatuses"}) {
    for (const auto& cs : j["status"].value(key, nlohmann::json::array())) {
      if (cs.value("name", "") == want) out->status = cs;
    }
  }
  std::string id = out->status.value("containerID", "");
  auto sep = id.find("://");
  out->container_id = sep == std::string::npos ? id : id.substr(sep + 3);
  out->restart_count = out->status.value("restartCount", 0);
  return Status::Ok();
}

}  // namespace crilet::cli
