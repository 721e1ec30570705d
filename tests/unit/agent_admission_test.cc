// Kubelet's admission of static pods: nodeSelector, required node affinity and resource requests.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "agent/admission.h"
#include "agent/agent.h"
#include "cli/daemon_config.h"
#include "cri/fake_runtime.h"
#include "manifests/quantity.h"
#include "probes_test_util.h"
#include "agent_test_util.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakeContainer;
using crilet::testing::MakePod;

namespace {

NodeInfo Node() {
  NodeInfo n;
  n.name = "node1";
  n.labels = NodeLabels("node1", "amd64", {{"disk", "ssd"}, {"cores", "8"}});
  n.allocatable_cpu_milli = 2000;
  n.allocatable_memory_bytes = 4LL << 30;
  return n;
}

manifests::Quantity Q(const std::string& text) {
  std::string err;
  return *manifests::ParseQuantity(text, &err);
}

manifests::Container WithRequests(manifests::Container c, const std::string& cpu, const std::string& memory) {
  if (!cpu.empty()) c.resources.requests["cpu"] = Q(cpu);
  if (!memory.empty()) c.resources.requests["memory"] = Q(memory);
  return c;
}

manifests::Pod WithTerm(std::vector<manifests::NodeSelectorRequirement> exprs,
                        std::vector<manifests::NodeSelectorRequirement> fields = {}) {
  manifests::Pod p = MakePod();
  manifests::NodeSelectorTerm t{std::move(exprs), std::move(fields)};
  p.spec.affinity = manifests::Affinity{manifests::NodeAffinity{std::vector<manifests::NodeSelectorTerm>{t}}};
  return p;
}

}  // namespace

TEST_CASE("kubelet's default node labels: hostname, os and arch, plus --node-labels", "[admission]") {
  auto labels = NodeLabels("node1", GoArch("x86_64"), {{"role", "cp"}, {"kubernetes.io/os", "linux"}});
  CHECK(labels.at("kubernetes.io/hostname") == "node1");
  CHECK(labels.at("kubernetes.io/os") == "linux");
  CHECK(labels.at("kubernetes.io/arch") == "amd64");
  CHECK(labels.at("beta.kubernetes.io/arch") == "amd64");
  CHECK(labels.at("role") == "cp");
  CHECK(GoArch("aarch64") == "arm64");
}

TEST_CASE("nodeSelector admits a pod only when every label matches the node", "[admission]") {
  auto pod = MakePod();
  CHECK(AdmitPod(pod, Node(), {}).admitted);
  pod.spec.node_selector = {{"kubernetes.io/os", "linux"}, {"disk", "ssd"}};
  CHECK(AdmitPod(pod, Node(), {}).admitted);
  pod.spec.node_selector["disk"] = "hdd";
  Admission a = AdmitPod(pod, Node(), {});
  CHECK_FALSE(a.admitted);
  CHECK(a.reason == "NodeAffinity");
  CHECK(a.message == "Predicate NodeAffinity failed");
  pod.spec.node_selector = {{"gpu", "yes"}};  // a label the node lacks
  CHECK_FALSE(AdmitPod(pod, Node(), {}).admitted);
}

TEST_CASE("required node affinity operators match as the scheduler's nodeaffinity plugin", "[admission]") {
  using R = manifests::NodeSelectorRequirement;
  struct Row {
    R req;
    bool admitted;
  };
  std::vector<Row> rows = {
      {{"disk", "In", {"hdd", "ssd"}}, true},
      {{"disk", "In", {"hdd"}}, false},
      {{"gpu", "In", {"yes"}}, false},
      {{"disk", "NotIn", {"hdd"}}, true},
      {{"disk", "NotIn", {"ssd"}}, false},
      {{"gpu", "NotIn", {"yes"}}, true},  // absent label: NotIn holds
      {{"disk", "Exists", {}}, true},
      {{"gpu", "Exists", {}}, false},
      {{"gpu", "DoesNotExist", {}}, true},
      {{"disk", "DoesNotExist", {}}, false},
      {{"cores", "Gt", {"4"}}, true},
      {{"cores", "Gt", {"8"}}, false},
      {{"cores", "Lt", {"16"}}, true},
      {{"cores", "Lt", {"8"}}, false},
      {{"disk", "Gt", {"1"}}, false},   // not an integer label value
      {{"gpu", "Lt", {"1"}}, false},    // absent label
  };
  for (const auto& row : rows) {
    INFO(row.req.key << " " << row.req.operator_);
    CHECK(AdmitPod(WithTerm({row.req}), Node(), {}).admitted == row.admitted);
  }
}

TEST_CASE("node affinity: terms are ORed, requirements ANDed, an empty term matches nothing, matchFields by name",
          "[admission]") {
  using R = manifests::NodeSelectorRequirement;
  // AND inside a term.
  CHECK_FALSE(AdmitPod(WithTerm({R{"disk", "In", {"ssd"}}, R{"gpu", "Exists", {}}}), Node(), {}).admitted);
  // OR across terms.
  auto pod = WithTerm({R{"gpu", "Exists", {}}});
  pod.spec.affinity->node_affinity->required_terms->push_back(manifests::NodeSelectorTerm{{R{"disk", "In", {"ssd"}}}, {}});
  CHECK(AdmitPod(pod, Node(), {}).admitted);
  // An empty term selects no node.
  CHECK_FALSE(AdmitPod(WithTerm({}), Node(), {}).admitted);
  // matchFields metadata.name.
  CHECK(AdmitPod(WithTerm({}, {R{"metadata.name", "In", {"node1"}}}), Node(), {}).admitted);
  CHECK_FALSE(AdmitPod(WithTerm({}, {R{"metadata.name", "In", {"node2"}}}), Node(), {}).admitted);
  CHECK(AdmitPod(WithTerm({}, {R{"metadata.name", "NotIn", {"node2"}}}), Node(), {}).admitted);
  // The default hostname label works like kubeadm's selectors.
  CHECK(AdmitPod(WithTerm({R{"kubernetes.io/hostname", "In", {"node1"}}}), Node(), {}).admitted);
}

TEST_CASE("pod requests: regular containers summed, init containers by kubelet's max rule with sidecars",
          "[admission]") {
  auto pod = MakePod({});
  pod.spec.containers = {WithRequests(MakeContainer("a"), "250m", "64Mi"), WithRequests(MakeContainer("b"), "250m", "64Mi")};
  CHECK(ComputePodRequests(pod).cpu_milli == 500);
  CHECK(ComputePodRequests(pod).memory_bytes == 128LL << 20);
  // A big init container runs alone: the pod needs its size, not the sum.
  pod.spec.init_containers = {WithRequests(MakeContainer("init"), "1", "")};
  CHECK(ComputePodRequests(pod).cpu_milli == 1000);
  CHECK(ComputePodRequests(pod).memory_bytes == 128LL << 20);
  // A sidecar before it runs beside it and beside the regular containers.
  auto side = WithRequests(MakeContainer("side"), "100m", "");
  side.restart_policy = "Always";
  pod.spec.init_containers.insert(pod.spec.init_containers.begin(), side);
  CHECK(ComputePodRequests(pod).cpu_milli == 1100);  // max(500 + 100, 1000 + 100)
  pod.spec.init_containers = {WithRequests(MakeContainer("small"), "100m", ""), side};
  CHECK(ComputePodRequests(pod).cpu_milli == 600);  // 500 + 100: the sum wins
}

TEST_CASE("resource admission: OutOfcpu / OutOfmemory with kubelet's message, counting admitted pods", "[admission]") {
  auto big = MakePod({});
  big.spec.containers = {WithRequests(MakeContainer("a"), "1500m", "1Gi")};
  CHECK(AdmitPod(big, Node(), {}).admitted);

  auto second = big;
  second.metadata.uid = "other";
  Admission a = AdmitPod(second, Node(), {&big});
  CHECK_FALSE(a.admitted);
  CHECK(a.reason == "OutOfcpu");
  CHECK(a.message == "Node didn't have enough resource: cpu, requested: 1500, used: 1500, capacity: 2000");

  auto memory = MakePod({});
  memory.spec.containers = {WithRequests(MakeContainer("a"), "", "5Gi")};
  a = AdmitPod(memory, Node(), {});
  CHECK(a.reason == "OutOfmemory");
  CHECK(a.message == "Node didn't have enough resource: memory, requested: 5368709120, used: 0, capacity: 4294967296");

  // No requests: nothing can be short, however full the node is.
  CHECK(AdmitPod(MakePod(), Node(), {&big, &big}).admitted);
  // Resources are checked before affinity, as kubelet's generalFilter orders them.
  auto both = WithTerm({manifests::NodeSelectorRequirement{"gpu", "Exists", {}}});
  both.spec.containers[0] = WithRequests(both.spec.containers[0], "3", "");
  CHECK(AdmitPod(both, Node(), {}).reason == "OutOfcpu");
}

TEST_CASE("kubelet parity: a rejected static pod is Failed with kubelet's reason and message, and gets no sandbox",
          "[admission][agent]") {
  RealClock clock;
  cri::FakeRuntime rt(&clock);
  rt.AddImage("busybox:1.36");
  Metrics metrics;
  auto root = crilet::testing::TestRoot("admit");
  AgentOptions o = crilet::testing::AgentTestOptions(root);
  o.node_cpu_milli = 2000;
  o.node_labels = {{"node-role.kubernetes.io/control-plane", ""}};

  auto fits = MakePod({"app"});
  fits.metadata.uid = "fits";
  fits.metadata.name = "fits-node1";
  fits.source.path = "/m/a.yaml";
  fits.spec.containers[0] = WithRequests(fits.spec.containers[0], "1500m", "");
  fits.spec.node_selector = {{"node-role.kubernetes.io/control-plane", ""}, {"kubernetes.io/hostname", "node1"}};
  auto too_big = MakePod({"app"});
  too_big.metadata.uid = "too-big";
  too_big.metadata.name = "big-node1";
  too_big.source.path = "/m/b.yaml";
  too_big.spec.containers[0] = WithRequests(too_big.spec.containers[0], "1", "");
  auto elsewhere = MakePod({"app"});
  elsewhere.metadata.uid = "elsewhere";
  elsewhere.metadata.name = "elsewhere-node1";
  elsewhere.source.path = "/m/c.yaml";
  elsewhere.spec.node_selector = {{"kubernetes.io/hostname", "node2"}};
  {
    Agent a(o, &rt, &clock, &metrics, nullptr);
    a.Start();
    a.SetDesiredPods({fits, too_big, elsewhere}, true);
    REQUIRE(crilet::testing::Eventually([&] {
      auto s = a.statuses()->Status("fits");
      return s && s->phase == "Running";
    }));
    auto big = a.statuses()->Status("too-big");
    REQUIRE(big);
    CHECK(big->phase == "Failed");
    CHECK(big->reason == "OutOfcpu");
    CHECK(big->message == "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000");
    auto other = a.statuses()->Status("elsewhere");
    REQUIRE(other);
    CHECK(other->reason == "NodeAffinity");
    CHECK(other->message == "Pod was rejected: Predicate NodeAffinity failed");
    bool event = false;
    for (const auto& e : a.events()->Events("elsewhere")) {
      event = event || (e.type == "Warning" && e.reason == "NodeAffinity" && e.message == "Predicate NodeAffinity failed");
    }
    CHECK(event);
    // Only the admitted pod has a sandbox.
    CHECK(rt.Sandboxes().size() == 1);
    CHECK(rt.CountCalls("RunPodSandbox") == 1);
    // A rejected pod's manifest removed: it leaves the pod list.
    a.SetDesiredPods({fits}, true);
    CHECK_FALSE(a.statuses()->Status("elsewhere").has_value());
    a.Stop();
  }
  std::filesystem::remove_all(root);
}

TEST_CASE("kubelet parity: --node-labels takes key=value pairs separated by commas", "[admission][cli]") {
  cli::RunFlags f;
  f.pod_manifest_path = "/m";
  f.node_labels = "node-role.kubernetes.io/control-plane=,zone=a,disk=ssd";
  cli::DaemonConfig c;
  REQUIRE(cli::ResolveDaemonConfig(f, nullptr, &c).ok());
  CHECK(c.node_labels == std::map<std::string, std::string>{
                             {"node-role.kubernetes.io/control-plane", ""}, {"zone", "a"}, {"disk", "ssd"}});
  f.node_labels = "zone=a,oops";
  Status s = cli::ResolveDaemonConfig(f, nullptr, &c);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "--node-labels zone=a,oops: \"oops\" is not key=value");
}
