// crilet describe pod: kubectl's describePod layout (field order, labels, indentation, tabwriter blocks) for a
// representative pod; the expected text follows kubectl's format strings and Go's text/tabwriter by hand.
#include <catch2/catch.hpp>

#include <sstream>

#include "cli/pod_description.h"
#include "cli/pod_table.h"
#include "cli/tab_writer.h"

using namespace crilet;
using nlohmann::json;

TEST_CASE("describe: Go's tabwriter aligns each block of consecutive tabbed lines on its own", "[cli][describe]") {
  CHECK(cli::AlignTabs("Name:\tweb\nNamespace:\tdefault\n") == "Name:       web\nNamespace:  default\n");
  // A line without a tab ends the block; the next block has its own width.
  CHECK(cli::AlignTabs("Status:\tRunning\nIPs:\n  IP:\t10.0.0.1\n") == "Status:  Running\nIPs:\n  IP:  10.0.0.1\n");
  // An empty first cell keeps the column (multi-line labels); the last cell is never padded.
  CHECK(cli::AlignTabs("Labels:\ta=b\n\tc=d\nQoS Class:\tBestEffort\n") ==
        "Labels:     a=b\n            c=d\nQoS Class:  BestEffort\n");
  // Columns to the right are aligned within the lines that have them.
  CHECK(cli::AlignTabs("a\tbb\tc\nddd\te\tf\ng\n") == "a    bb  c\nddd  e   f\ng\n");
  // Widths count characters, not bytes.
  CHECK(cli::AlignTabs("é:\tx\nab:\ty\n") == "é:   x\nab:  y\n");
}

TEST_CASE("describe pod: kubectl's layout for a pod with an init container, probes, env, resources and a volume",
          "[cli][describe]") {
  json pod = {
      {"metadata",
       {{"name", "web-node1"},
        {"namespace", "default"},
        {"uid", "u1"},
        {"labels", {{"app", "web"}, {"tier", "front"}}},
        {"annotations", {{"kubernetes.io/config.source", "file"}}}}},
      {"spec",
       {{"nodeName", "node1"},
        {"priority", 0},
        {"serviceAccountName", "default"},
        {"initContainers", json::array({{{"name", "init"}, {"image", "busybox"}, {"command", {"true"}}}})},
        {"containers",
         json::array({{{"name", "app"},
                       {"image", "busybox"},
                       {"command", {"sh", "-c", "sleep 3600"}},
                       {"ports", json::array({{{"name", "http"}, {"containerPort", 80}, {"protocol", "TCP"}}})},
                       {"resources", {{"limits", {{"cpu", "500m"}, {"memory", "128Mi"}}}, {"requests", {{"cpu", "250m"}}}}},
                       {"livenessProbe", {{"exec", {{"command", {"true"}}}}}},
                       {"readinessProbe", {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}}},
                       {"env", json::array({{{"name", "MODE"}, {"value", "prod"}},
                                            {{"name", "POD_NAME"},
                                             {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.name"}}}}}}})},
                       {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})},
        {"volumes", json::array({{{"name", "data"}, {"emptyDir", json::object()}}})},
        {"tolerations", json::array({{{"operator", "Exists"}, {"effect", "NoExecute"}}})}}},
      {"status",
       {{"phase", "Running"},
        {"hostIP", "192.168.1.10"},
        {"podIP", "10.88.0.5"},
        {"podIPs", json::array({{{"ip", "10.88.0.5"}}})},
        {"startTime", "2026-12-07T10:00:00Z"},
        {"qosClass", "Burstable"},
        {"conditions", json::array({{{"type", "Initialized"}, {"status", "True"}},
                                    {{"type", "Ready"}, {"status", "True"}},
                                    {{"type", "ContainersReady"}, {"status", "True"}},
                                    {{"type", "PodScheduled"}, {"status", "True"}}})},
        {"initContainerStatuses",
         json::array({{{"name", "init"},
                       {"containerID", "containerd://init1"},
                       {"imageID", "sha256:aaa"},
                       {"ready", true},
                       {"restartCount", 0},
                       {"state",
                        {{"terminated",
                          {{"exitCode", 0}, {"reason", "Completed"}, {"startedAt", "2026-12-07T10:00:00Z"},
                           {"finishedAt", "2026-12-07T10:00:01Z"}}}}}}})},
        {"containerStatuses",
         json::array({{{"name", "app"},
                       {"containerID", "containerd://abc"},
                       {"imageID", "sha256:def"},
                       {"ready", true},
                       {"restartCount", 1},
                       {"state", {{"running", {{"startedAt", "2026-12-07T10:00:05Z"}}}}},
                       {"lastState",
                        {{"terminated",
                          {{"exitCode", 1}, {"reason", "Error"}, {"startedAt", "2026-12-07T10:00:02Z"},
                           {"finishedAt", "2026-12-07T10:00:04Z"}}}}}}})}}},
      {"events", json::array()}};
  const std::string want =
      "Name:             web-node1\n"
      "Namespace:        default\n"
      "Priority:         0\n"
      "Service Account:  default\n"
      "Node:             node1/192.168.1.10\n"
      "Start Time:       Mon, 07 Dec 2026 10:00:00 +0000\n"
      "Labels:           app=web\n"
      "                  tier=front\n"
      "Annotations:      kubernetes.io/config.source: file\n"
      "Status:           Running\n"
      "IP:               10.88.0.5\n"
      "IPs:\n"
      "  IP:  10.88.0.5\n"
      "Init Containers:\n"
      "  init:\n"
      "    Container ID:  containerd://init1\n"
      "    Image:         busybox\n"
      "    Image ID:      sha256:aaa\n"
      "    Port:          <none>\n"
      "    Host Port:     <none>\n"
      "    Command:\n"
      "      true\n"
      "    State:          Terminated\n"
      "      Reason:       Completed\n"
      "      Exit Code:    0\n"
      "      Started:      Mon, 07 Dec 2026 10:00:00 +0000\n"
      "      Finished:     Mon, 07 Dec 2026 10:00:01 +0000\n"
      "    Ready:          True\n"
      "    Restart Count:  0\n"
      "    Environment:    <none>\n"
      "    Mounts:         <none>\n"
      "Containers:\n"
      "  app:\n"
      "    Container ID:  containerd://abc\n"
      "    Image:         busybox\n"
      "    Image ID:      sha256:def\n"
      "    Port:          80/TCP (http)\n"
      "    Host Port:     0/TCP (http)\n"
      "    Command:\n"
      "      sh\n"
      "      -c\n"
      "      sleep 3600\n"
      "    State:          Running\n"
      "      Started:      Mon, 07 Dec 2026 10:00:05 +0000\n"
      "    Last State:     Terminated\n"
      "      Reason:       Error\n"
      "      Exit Code:    1\n"
      "      Started:      Mon, 07 Dec 2026 10:00:02 +0000\n"
      "      Finished:     Mon, 07 Dec 2026 10:00:04 +0000\n"
      "    Ready:          True\n"
      "    Restart Count:  1\n"
      "    Limits:\n"
      "      cpu:     500m\n"
      "      memory:  128Mi\n"
      "    Requests:\n"
      "      cpu:      250m\n"
      "    Liveness:   exec [true] delay=0s timeout=1s period=10s #success=1 #failure=3\n"
      "    Readiness:  http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3\n"
      "    Environment:\n"
      "      MODE:      prod\n"
      "      POD_NAME:  web-node1 (v1:metadata.name)\n"
      "    Mounts:\n"
      "      /data from data (rw)\n"
      "Conditions:\n"
      "  Type              Status\n"
      "  Initialized       True \n"
      "  Ready             True \n"
      "  ContainersReady   True \n"
      "  PodScheduled      True \n"
      "Volumes:\n"
      "  data:\n"
      "    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)\n"
      "    Medium:      \n"
      "    SizeLimit:   <unset>\n"
      "QoS Class:       Burstable\n"
      "Node-Selectors:  <none>\n"
      "Tolerations:     :NoExecute op=Exists\n"
      "Events:          <none>\n";
  const std::string got = cli::DescribePod(pod, *cli::ParseTime("2026-12-07T10:10:00Z"));
  // Line by line first, so a failure names the line.
  std::istringstream got_lines(got), want_lines(want);
  std::string g, w;
  for (int line = 1; std::getline(want_lines, w); ++line) {
    INFO("line " << line);
    REQUIRE(std::getline(got_lines, g));
    CHECK(g == w);
  }
  CHECK(got == want);
}

TEST_CASE("describe pod: a pod not started yet has no Start Time, no container IDs and no states", "[cli][describe]") {
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"},
                                                     {"ports", json::array({{{"containerPort", 80}, {"protocol", "TCP"}},
                                                                            {{"containerPort", 443}, {"protocol", "TCP"}}})}}})}}},
              {"status", {{"phase", "Pending"}}}};
  const std::string text = cli::DescribePod(pod, *cli::ParseTime("2026-12-07T10:10:00Z"));
  CHECK(text.find("Start Time:") == std::string::npos);
  CHECK(text.find("Container ID:") == std::string::npos);
  CHECK(text.find("State:") == std::string::npos);
  CHECK(text.find("Node:         <none>\n") != std::string::npos);
  CHECK(text.find("IPs:          <none>\n") != std::string::npos);
  CHECK(text.find("    Ports:        80/TCP, 443/TCP\n") != std::string::npos);
  CHECK(text.find("    Host Ports:   0/TCP, 0/TCP\n") != std::string::npos);
  CHECK(text.find("Conditions:") == std::string::npos);
  CHECK(text.find("Volumes:          <none>\n") != std::string::npos);
}
