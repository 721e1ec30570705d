// Label and field selectors (kubectl -l, --field-selector), get's table flags and crictl's words: table-driven.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "cli/columns.h"
#include "cli/completion.h"
#include "cli/crictl_format.h"
#include "cli/event_list.h"
#include "cli/pod_table.h"
#include "cli/selectors.h"

using namespace crilet;
using namespace crilet::cli;
using nlohmann::json;

namespace {

const std::map<std::string, std::string> kLabels = {{"app", "web"}, {"tier", "front"}, {"example.com/team", "a"}};

}  // namespace

TEST_CASE("label selectors match as apimachinery's labels.Parse reads them", "[cli][selectors]") {
  struct Case {
    const char* selector;
    bool match;
  };
  for (const Case& c : std::vector<Case>{
           {"", true},
           {"app=web", true},
           {"app==web", true},
           {"app=db", false},
           {"app!=db", true},
           {"app!=web", false},
           {"missing!=x", true},
           {"app", true},
           {"missing", false},
           {"!missing", true},
           {"!app", false},
           {"app in (web,db)", true},
           {"app in (db)", false},
           {"app notin (db, cache)", true},
           {"missing notin (x)", true},
           {"missing in (x)", false},
           {"app=web,tier=front", true},
           {"app=web, tier=back", false},
           {"example.com/team=a", true},
           {" app = web ", true},
           {"tier=", false},  // the empty value
       }) {
    LabelSelector sel;
    INFO(c.selector);
    REQUIRE(ParseLabelSelector(c.selector, &sel).ok());
    CHECK(MatchesLabels(sel, kLabels) == c.match);
  }
  LabelSelector empty_value;
  REQUIRE(ParseLabelSelector("tier=", &empty_value).ok());
  CHECK(MatchesLabels(empty_value, {{"tier", ""}}));
}

TEST_CASE("bad label selectors are refused with apimachinery's words", "[cli][selectors]") {
  struct Case {
    const char* selector;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"app in web", "found 'web', expected: '('"},
           {"app in ()", "unable to parse requirement: values: Invalid value: \"\": for 'in', 'notin' operators, values "
                         "set can't be empty"},
           {"app=web tier=x", "found 'tier', expected: ',' or 'end of string'"},
           {"=web", "found '=', expected: identifier"},
           {"app < 3", "found '<', expected: in, notin, =, ==, !="},
           {"app in (a b)", "found 'b', expected: ',' or ')'"},
           {"-bad=x", "unable to parse requirement: key: Invalid value: \"-bad\": name part must consist of alphanumeric "
                      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63)"},
       }) {
    LabelSelector sel;
    INFO(c.selector);
    Status s = ParseLabelSelector(c.selector, &sel);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message() == c.message);
  }
}

TEST_CASE("field selectors: the pod fields the API server knows, =, == and !=", "[cli][selectors]") {
  const json pod = {{"metadata", {{"name", "web-node1"}, {"namespace", "test"}}},
                    {"spec", {{"nodeName", "node1"}, {"restartPolicy", "Always"}}},
                    {"status", {{"phase", "Running"}, {"podIP", "10.88.0.2"}}}};
  struct Case {
    const char* selector;
    bool match;
  };
  for (const Case& c : std::vector<Case>{{"status.phase=Running", true},
                                         {"status.phase!=Running", false},
                                         {"status.phase==Pending", false},
                                         {"metadata.name=web-node1,spec.nodeName=node1", true},
                                         {"metadata.namespace=default", false},
                                         {"spec.hostNetwork=false", true},
                                         {"spec.schedulerName=default-scheduler", true},
                                         {"status.podIP=10.88.0.2", true}}) {
    FieldSelector sel;
    INFO(c.selector);
    REQUIRE(ParseFieldSelector(c.selector, &sel).ok());
    CHECK(MatchesFields(sel, pod) == c.match);
  }
  FieldSelector sel;
  Status s = ParseFieldSelector("status.hostIP=1.2.3.4", &sel);
  CHECK(s.message() == "field label not supported: status.hostIP");
  s = ParseFieldSelector("status.phase", &sel);
  CHECK(s.message() == "invalid selector: 'status.phase'; can't understand 'status.phase'");
}

TEST_CASE("get's table flags: -A, -o wide, --show-labels, --no-headers as kubectl lays them out", "[cli][selectors]") {
  const json list = {{"items",
                      {{{"metadata", {{"name", "web-node1"}, {"namespace", "test"}, {"labels", {{"app", "web"}, {"a", "1"}}}}},
                        {"spec", {{"nodeName", "node1"}, {"containers", {{{"name", "c"}}}}}},
                        {"status",
                         {{"phase", "Running"},
                          {"podIP", "10.88.0.2"},
                          {"containerStatuses", {{{"name", "c"}, {"ready", true}, {"restartCount", 0}, {"state", {{"running", json::object()}}}}}}}}}}}};
  const TimePoint now = TimePoint{} + std::chrono::hours(24 * 365 * 56);
  TableOptions o;
  o.all_namespaces = true;
  o.show_labels = true;
  o.wide = true;
  CHECK(FormatPodTable(list, o, now) ==
        "NAMESPACE   NAME        READY   STATUS    RESTARTS   AGE         IP          NODE    NOMINATED NODE   READINESS GATES   LABELS\n"
        "test        web-node1   1/1     Running   0          <unknown>   10.88.0.2   node1   <none>           <none>            a=1,app=web\n");
  TableOptions bare;
  bare.headers = false;
  CHECK(FormatPodTable(list, bare, now) == "web-node1   1/1   Running   0   <unknown>\n");
  CHECK(LabelsCell({}) == "<none>");
}

TEST_CASE("get events: LAST SEEN TYPE REASON OBJECT MESSAGE, oldest first, one namespace or one pod", "[cli][events]") {
  auto event = [](const char* ns, const char* pod, const char* reason, const char* last) {
    return json{{"type", "Normal"},
                {"reason", reason},
                {"message", std::string(reason) + " it"},
                {"lastTimestamp", last},
                {"involvedObject", {{"kind", "Pod"}, {"name", pod}, {"namespace", ns}}}};
  };
  const json events = {{"items",
                        {event("default", "web-node1", "Started", "2026-12-07T10:00:50Z"),
                         event("default", "web-node1", "Pulled", "2026-12-07T10:00:40Z"),
                         event("test", "db-node1", "Created", "2026-12-07T10:00:55Z")}}};
  const TimePoint now = *ParseTime("2026-12-07T10:01:00Z");
  CHECK(FormatEventList(events, "default", "", TableOptions{}, now) ==
        "LAST SEEN   TYPE     REASON    OBJECT          MESSAGE\n"
        "20s         Normal   Pulled    pod/web-node1   Pulled it\n"
        "10s         Normal   Started   pod/web-node1   Started it\n");
  TableOptions all;
  all.all_namespaces = true;
  CHECK(FormatEventList(events, "default", "db-node1", all, now) ==
        "NAMESPACE   LAST SEEN   TYPE     REASON    OBJECT         MESSAGE\n"
        "test        5s          Normal   Created   pod/db-node1   Created it\n");
  CHECK(FormatEventList(events, "kube-system", "", TableOptions{}, now).empty());
}

TEST_CASE("crictl's words: CREATED ages, image sizes and IDs, repo tags, its tabwriter", "[cli][crictl]") {
  using std::chrono::hours, std::chrono::milliseconds, std::chrono::minutes, std::chrono::seconds;
  CHECK(CrictlAgo(milliseconds(400)) == "Less than a second ago");
  CHECK(CrictlAgo(seconds(1)) == "1 second ago");
  CHECK(CrictlAgo(seconds(59)) == "59 seconds ago");
  CHECK(CrictlAgo(seconds(90)) == "About a minute ago");
  CHECK(CrictlAgo(minutes(59)) == "59 minutes ago");
  CHECK(CrictlAgo(minutes(70)) == "About an hour ago");
  CHECK(CrictlAgo(hours(47)) == "47 hours ago");
  CHECK(CrictlAgo(hours(24 * 13)) == "13 days ago");
  CHECK(CrictlAgo(hours(24 * 30)) == "4 weeks ago");
  CHECK(CrictlAgo(hours(24 * 90)) == "3 months ago");
  CHECK(CrictlAgo(hours(24 * 365 * 3)) == "3 years ago");
  CHECK(HumanSize(999) == "999B");
  CHECK(HumanSize(4270000) == "4.27MB");
  CHECK(HumanSize(1234567890) == "1.235GB");
  CHECK(ShortImageId("sha256:9d24722292febf75559016a230067843") == "9d24722292feb");
  CHECK(SplitRepoTag("docker.io/library/busybox:1.36") == std::pair<std::string, std::string>{"docker.io/library/busybox", "1.36"});
  CHECK(SplitRepoTag("localhost:5000/etcd") == std::pair<std::string, std::string>{"localhost:5000/etcd", "<none>"});
  CHECK(CrictlColumns({{"POD ID", "STATE"}, {"abc", "Ready"}}) ==
        "POD ID              STATE\n"
        "abc                 Ready\n");
}

TEST_CASE("completion scripts for bash and zsh, none for other shells", "[cli][completion]") {
  const std::string bash = CompletionScript("bash");
  CHECK(bash.find("complete -F _crilet crilet") != std::string::npos);
  CHECK(bash.find("crilet get pods -A -o name") != std::string::npos);
  const std::string zsh = CompletionScript("zsh");
  CHECK(zsh.find("bashcompinit") != std::string::npos);
  CHECK(zsh.find(bash) != std::string::npos);
  CHECK(CompletionScript("fish").empty());
}
