// nodeSelector and node affinity in manifests (parsed, printed, validated as the API does), and apiVersion
// named beside other errors.
#include <catch2/catch.hpp>

#include <algorithm>

#include "manifests/loader.h"
#include "manifests/parser.h"
#include "manifests/printer.h"

using namespace crilet::manifests;

namespace {

LoadResult Load(const std::string& yaml) {
  LoadOptions o;
  o.node_name = "node1";
  o.source = PodSource{"file", "/etc/kubernetes/manifests/pod.yaml", 0};
  o.display_name = "pod.yaml";
  return LoadManifest(yaml, o);
}

std::vector<std::string> Errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

const std::string kHead = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: a, image: b}]\n";

std::string WithExpression(const std::string& expr) {
  return kHead +
         "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
         "        nodeSelectorTerms:\n        - matchExpressions:\n          - " +
         expr + "\n";
}

}  // namespace

TEST_CASE("nodeSelector and required node affinity are read, printed and round-trip", "[manifests][affinity]") {
  auto r = Load(kHead + R"(  nodeSelector: {kubernetes.io/os: linux}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: node-role.kubernetes.io/control-plane, operator: Exists}
          - {key: disk, operator: In, values: [ssd, nvme]}
          matchFields:
          - {key: metadata.name, operator: In, values: [node1]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 1, preference: {matchExpressions: [{key: a, operator: Exists}]}}
    podAntiAffinity: {}
)");
  for (const auto& e : r.errors) UNSCOPED_INFO(e.ToString());
  REQUIRE(r.errors.empty());
  CHECK(r.warnings.empty());
  const auto& spec = r.pods[0].spec;
  CHECK(spec.node_selector.at("kubernetes.io/os") == "linux");
  REQUIRE(spec.affinity);
  const auto& terms = *spec.affinity->node_affinity->required_terms;
  REQUIRE(terms.size() == 1);
  REQUIRE(terms[0].match_expressions.size() == 2);
  CHECK(terms[0].match_expressions[1].values == std::vector<std::string>{"ssd", "nvme"});
  CHECK(terms[0].match_fields[0].key == "metadata.name");
  auto again = ParseManifest(PodToYaml(r.pods[0]), "printed.yaml");
  REQUIRE(again.size() == 1);
  CHECK(again[0].pod.spec.affinity == spec.affinity);
  CHECK(again[0].pod.spec.node_selector == spec.node_selector);
}

TEST_CASE("node affinity is type-checked as the API's validation does", "[manifests][affinity][validation]") {
  const std::string p = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]";
  struct Row {
    std::string yaml;
    std::string error;
  };
  std::vector<Row> rows = {
      {WithExpression("{key: disk, operator: In}"),
       p + ".matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'"},
      {WithExpression("{key: disk, operator: NotIn, values: []}"),
       p + ".matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'"},
      {WithExpression("{key: disk, operator: Exists, values: [x]}"),
       p + ".matchExpressions[0].values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
      {WithExpression("{key: disk, operator: DoesNotExist, values: [x]}"),
       p + ".matchExpressions[0].values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
      {WithExpression("{key: cores, operator: Gt, values: ['1', '2']}"),
       p + ".matchExpressions[0].values: must be specified single value when `operator` is 'Lt' or 'Gt'"},
      {WithExpression("{key: cores, operator: Lt, values: [many]}"),
       p + ".matchExpressions[0].values[0]: must be an integer for `operator` 'Lt' or 'Gt'"},
      {WithExpression("{key: disk, operator: Equals, values: [x]}"),
       p + ".matchExpressions[0].operator: unsupported \"Equals\": must be In, NotIn, Exists, DoesNotExist, Gt or Lt"},
      {WithExpression("{key: disk, values: [x]}"),
       p + ".matchExpressions[0].operator: required (In, NotIn, Exists, DoesNotExist, Gt or Lt)"},
      {WithExpression("{key: 'bad key!', operator: Exists}"),
       p + ".matchExpressions[0].key: invalid label key: name part must consist of alphanumeric characters, '-', "
           "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc')"},
      {kHead + "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
               "        nodeSelectorTerms:\n        - matchFields:\n          - {key: metadata.uid, operator: In, values: [x]}\n",
       p + ".matchFields[0].key: not a valid field selector key (supported: metadata.name)"},
      {kHead + "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
               "        nodeSelectorTerms:\n        - matchFields:\n          - {key: metadata.name, operator: In, values: [a, b]}\n",
       p + ".matchFields[0].values: must be only one value when `operator` is 'In' or 'NotIn' for node field selector"},
      {kHead + "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
               "        nodeSelectorTerms:\n        - matchFields:\n          - {key: metadata.name, operator: Exists}\n",
       p + ".matchFields[0].operator: unsupported \"Exists\": must be In or NotIn"},
      {kHead + "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
               "        nodeSelectorTerms: []\n",
       "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: must have at "
       "least one node selector term"},
      {kHead + "  nodeSelector: {disk: 'not ok'}\n",
       "spec.nodeSelector.disk: a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', "
       "and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')"},
  };
  for (const auto& r : rows) {
    INFO(r.yaml);
    auto result = Load(r.yaml);
    CHECK(result.pods.empty());
    auto errors = Errors(result);
    bool found = std::any_of(errors.begin(), errors.end(),
                             [&](const std::string& e) { return e.find(": " + r.error) != std::string::npos; });
    for (const auto& e : errors) UNSCOPED_INFO("got: " << e);
    CHECK(found);
  }
}

TEST_CASE("a missing apiVersion is reported beside the manifest's other errors", "[manifests][validation]") {
  // With a field that does not parse (a type error), validation never runs; the parser names it too.
  auto r = Load("kind: Pod\nmetadata: {name: web}\nspec:\n  containers: {name: a}\n");
  auto errors = Errors(r);
  for (const auto& e : errors) UNSCOPED_INFO("got: " << e);
  CHECK(std::find(errors.begin(), errors.end(), "pod.yaml:1: apiVersion: required (v1)") != errors.end());
  CHECK(errors.size() >= 2);
  // Beside validation errors.
  r = Load("kind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: a}]\n");
  errors = Errors(r);
  CHECK(std::find(errors.begin(), errors.end(), "pod.yaml:1: apiVersion: required (v1)") != errors.end());
  CHECK(std::any_of(errors.begin(), errors.end(),
                    [](const std::string& e) { return e.find("spec.containers[0].image: required") != std::string::npos; }));
  // Beside a wrong kind.
  r = Load("kind: Deployment\nmetadata: {name: web}\n");
  errors = Errors(r);
  CHECK(std::find(errors.begin(), errors.end(), "pod.yaml:1: apiVersion: required (v1)") != errors.end());
  CHECK(errors.size() == 2);
}
