// kubectl's JSONPath templates: table-driven, after client-go's jsonpath cases and kubectl get's documented uses.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/jsonpath.h"

using namespace crilet;
using namespace crilet::cli;
using nlohmann::json;

namespace {

const json kPods = json::parse(R"({
  "kind": "List",
  "items": [
    {"metadata": {"name": "web-node1", "labels": {"app": "web", "app.kubernetes.io/name": "w"}},
     "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}, {"name": "side", "image": "nginx"}]},
     "status": {"phase": "Running", "podIP": "10.88.0.2", "restarts": 3,
                "conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}]}},
    {"metadata": {"name": "db-node1", "labels": {"app": "db"}},
     "spec": {"containers": [{"name": "db", "image": "postgres"}]},
     "status": {"phase": "Pending", "restarts": 0, "conditions": [{"type": "Ready", "status": "False"}]}}
  ]
})");

std::string Run(const std::string& t) {
  JsonPath p;
  Status s = JsonPath::Parse(t, &p);
  if (!s.ok()) return "ERROR: " + s.message();
  return p.Execute(kPods);
}

}  // namespace

TEST_CASE("jsonpath templates select and print as kubectl's", "[cli][jsonpath]") {
  struct Case {
    const char* tmpl;
    const char* out;
  };
  for (const Case& c : std::vector<Case>{
           {"{.kind}", "List"},
           {"{.items[*].metadata.name}", "web-node1 db-node1"},
           {"{.items[0].metadata.name}", "web-node1"},
           {"{.items[-1].metadata.name}", "db-node1"},
           {"{.items[0:1].metadata.name}", "web-node1"},
           {"{.items[1:].status.phase}", "Pending"},
           {"{.items[*].spec.containers[*].image}", "busybox:1.36 nginx postgres"},
           {"{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}", "web-node1\tRunning\ndb-node1\tPending\n"},
           {"{.items[?(@.status.phase==\"Running\")].metadata.name}", "web-node1"},
           {"{.items[?(@.status.phase!='Running')].metadata.name}", "db-node1"},
           {"{.items[?(@.status.restarts>1)].metadata.name}", "web-node1"},
           {"{.items[?(@.status.podIP)].metadata.name}", "web-node1"},
           {"{.items[0].status.conditions[?(@.type==\"Ready\")].status}", "True"},
           {"{..podIP}", "10.88.0.2"},
           {"{.items[0].metadata.labels['app.kubernetes.io/name']}", "w"},
           {"{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", "w"},
           {"{.items[1].metadata.labels}", "{\"app\":\"db\"}"},
           {"{.items[0].status.restarts}", "3"},
           {"names: {.items[*].metadata.name}.", "names: web-node1 db-node1."},
           {"{.items[*].nothing}", ""},  // missing keys print nothing (kubectl get allows them)
           {"{.items[5].metadata.name}", ""},
           {"{.items[0].metadata.name", "ERROR: unclosed action"},
           {"{end}", "ERROR: not in range, nothing to end"},
           {"{range .items[*]}{.metadata.name}", "ERROR: unterminated range"},
           {"{.items[?(@.a==]}", "ERROR: unterminated filter"},
           {"{.items[x]}", "ERROR: invalid array index"},
           {"{.items[0:2:0]}", "ERROR: step cannot be 0"},
           {"{.items!}", "ERROR: unrecognized character in action: U+0021 '!'"},
       }) {
    INFO(c.tmpl);
    CHECK(Run(c.tmpl) == c.out);
  }
}

TEST_CASE("field specs for custom-columns and --sort-by", "[cli][jsonpath]") {
  JsonPath p;
  REQUIRE(ParseFieldSpec(".metadata.name", &p).ok());
  auto v = p.Values(kPods["items"][1]);
  REQUIRE(v.size() == 1);
  CHECK(v[0] == "db-node1");
  REQUIRE(ParseFieldSpec("{.spec.containers[*].name}", &p).ok());
  CHECK(p.Values(kPods["items"][0]) == std::vector<json>{"app", "side"});
  CHECK_FALSE(ParseFieldSpec("", &p).ok());
}
