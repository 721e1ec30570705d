// crilet apply, delete, run (kubectl's) and wait: file names, verdicts, the run pod, wait conditions, discovery, atomic writes.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/apply_command.h"
#include "cli/apply_objects.h"
#include "cli/daemon_locator.h"
#include "cli/manifest_inputs.h"
#include "cli/manifest_writer.h"
#include "cli/run_pod.h"
#include "cli/wait_condition.h"
#include "manifests/dir_source.h"
#include "manifests/loader.h"

using namespace crilet;
using namespace crilet::cli;
using nlohmann::json;

TEST_CASE("apply: one file per object, named namespace.name.kind.yaml", "[cli][apply]") {
  CHECK(ObjectFileName("Pod", "default", "web") == "default.web.pod.yaml");
  CHECK(ObjectFileName("ConfigMap", "test", "app-config") == "test.app-config.configmap.yaml");
  CHECK(ObjectFileName("Secret", "kube-system", "db.creds") == "kube-system.db.creds.secret.yaml");
  CHECK(ObjectFileName("PersistentVolumeClaim", "default", "data") == "default.data.persistentvolumeclaim.yaml");
  CHECK(ObjectFileName("PersistentVolume", "", "pv1") == "pv1.persistentvolume.yaml");
  // The daemon reads them all: none is a name its directory source skips.
  for (const char* n : {"default.web.pod.yaml", "pv1.persistentvolume.yaml"}) CHECK_FALSE(manifests::IgnoredManifestName(n));
}

TEST_CASE("apply: documents, lists and JSON split into objects with namespace defaulted", "[cli][apply]") {
  std::vector<AppliedObject> objects;
  std::string error;
  REQUIRE(SplitObjects("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: test}\ndata: {a: b}\n---\n"
                       "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n"
                       "---\n{\"apiVersion\": \"v1\", \"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"pv1\"}}\n"
                       "---\napiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {containers: [{name: c, image: i}]}\n",
                       &objects, &error));
  REQUIRE(objects.size() == 4);
  CHECK((objects[0].kind == "ConfigMap" && objects[0].namespace_ == "test" && objects[0].name == "c"));
  CHECK((objects[1].kind == "Pod" && objects[1].namespace_ == "default" && objects[1].name == "web"));
  CHECK((objects[2].kind == "PersistentVolume" && objects[2].namespace_.empty() && objects[2].name == "pv1"));
  CHECK((objects[3].kind == "Pod" && objects[3].name == "a"));
  for (const auto& o : objects) CHECK(WrittenByApply(o.content));
  // Each file is a manifest the loader accepts on its own.
  manifests::LoadOptions lo;
  lo.node_name = "node1";
  lo.source = {"file", "x.yaml", 0};
  auto r = manifests::LoadManifest(objects[3].content, lo);
  CHECK(r.errors.empty());
  REQUIRE(r.pods.size() == 1);
  CHECK(r.pods[0].metadata.name == "a-node1");

  objects.clear();
  CHECK_FALSE(SplitObjects("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", &objects, &error));
  CHECK(error == "crilet apply does not write objects of kind \"Deployment\"");
}

TEST_CASE("apply: created, configured or unchanged from the file's bytes", "[cli][apply]") {
  CHECK(DecideApply(std::nullopt, "a") == ApplyOutcome::kCreated);
  CHECK(DecideApply(std::string("a"), "a") == ApplyOutcome::kUnchanged);
  CHECK(DecideApply(std::string("a"), "b") == ApplyOutcome::kConfigured);
  CHECK(std::string(ApplyOutcomeWord(ApplyOutcome::kConfigured)) == "configured");
  CHECK(ObjectFileMode("Secret") == 0600);
  CHECK(ObjectFileMode("Pod") == 0644);
  CHECK(ObjectFileMode("ConfigMap") == 0644);
}

TEST_CASE("delete: apply's own file is removed, a hand-written one is refused and named", "[cli][apply]") {
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n";
  std::vector<ManifestDirFile> files = {
      {"default.web.pod.yaml", std::string(kAppliedHeader) + pod},
      {"all.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
                   "apiVersion: v1\nkind: Pod\nmetadata: {name: db}\nspec: {containers: [{name: c, image: i}]}\n"},
      {"test.other.pod.yaml", pod},  // apply's name but no header: someone wrote it by hand
  };
  auto t = FindDeleteTarget("Pod", "default", "web", files);
  CHECK((t.kind == DeleteTarget::Kind::kAppliedFile && t.file == "default.web.pod.yaml"));
  t = FindDeleteTarget("Pod", "default", "db", files);
  CHECK((t.kind == DeleteTarget::Kind::kHandWritten && t.file == "all.yaml" && t.documents == 2));
  CHECK(HandWrittenRefusal("Pod", "db", "/m/all.yaml", 2) ==
        "pod \"db\" comes from /m/all.yaml, which holds 2 objects and was not written by crilet apply; crilet delete "
        "does not edit it: remove the object from that file yourself");
  CHECK(FindDeleteTarget("Pod", "other", "web", files).kind == DeleteTarget::Kind::kNotFound);
  CHECK(FindDeleteTarget("ConfigMap", "default", "web", files).kind == DeleteTarget::Kind::kNotFound);
  CHECK(KindForResource("po") == "Pod");
  CHECK(KindForResource("cm") == "ConfigMap");
  CHECK(KindForResource("pvc") == "PersistentVolumeClaim");
  CHECK(KindForResource("deployment").empty());
}

TEST_CASE("run: kubectl run's pod from a table of flag sets", "[cli][apply]") {
  struct Case {
    RunPodFlags flags;
    json want;
  };
  const json base_meta = {{"name", "web"}, {"labels", {{"run", "web"}}}};
  std::vector<Case> cases;
  {
    RunPodFlags f;
    f.name = "web", f.image = "nginx";
    cases.push_back({f, {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", base_meta},
                         {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx"}}}}, {"dnsPolicy", "ClusterFirst"},
                                   {"restartPolicy", "Always"}}}}});
  }
  {
    RunPodFlags f;
    f.name = "web", f.image = "busybox", f.restart = "Never", f.words = {"echo", "hi"};
    f.env = {"A=1", "B=x=y"}, f.port = "8080", f.ns = "test";
    cases.push_back({f, {{"apiVersion", "v1"}, {"kind", "Pod"},
                         {"metadata", {{"name", "web"}, {"namespace", "test"}, {"labels", {{"run", "web"}}}}},
                         {"spec", {{"containers", {{{"name", "web"}, {"image", "busybox"}, {"args", {"echo", "hi"}},
                                                    {"env", {{{"name", "A"}, {"value", "1"}}, {{"name", "B"}, {"value", "x=y"}}}},
                                                    {"ports", {{{"containerPort", 8080}}}}}}},
                                   {"dnsPolicy", "ClusterFirst"}, {"restartPolicy", "Never"}}}}});
  }
  {
    RunPodFlags f;
    f.name = "web", f.image = "busybox", f.command = true, f.words = {"sh", "-c", "true"}, f.labels = "app=a,tier=b";
    cases.push_back({f, {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "web"}, {"labels", {{"app", "a"}, {"tier", "b"}}}}},
                         {"spec", {{"containers", {{{"name", "web"}, {"image", "busybox"}, {"command", {"sh", "-c", "true"}}}}},
                                   {"dnsPolicy", "ClusterFirst"}, {"restartPolicy", "Always"}}}}});
  }
  for (const auto& c : cases) {
    json pod;
    REQUIRE(BuildRunPod(c.flags, &pod).ok());
    CHECK(pod == c.want);
  }
  struct Bad {
    std::string restart, port, env, labels, message;
  };
  for (const auto& b : std::vector<Bad>{{"Sometimes", "", "", "", "invalid restart policy: Sometimes"},
                                        {"Always", "70000", "", "", "--port must be a number from 1 to 65535, not 70000"},
                                        {"Always", "", "NOVALUE", "", "invalid env: NOVALUE"},
                                        {"Always", "", "", "novalue", "invalid label spec: novalue"}}) {
    RunPodFlags f;
    f.name = "web", f.image = "i", f.restart = b.restart, f.port = b.port, f.labels = b.labels;
    if (!b.env.empty()) f.env = {b.env};
    json pod;
    Status s = BuildRunPod(f, &pod);
    CHECK_FALSE(s.ok());
    CHECK(s.message() == b.message);
  }
}

TEST_CASE("run: --image picks kubectl's run, else the daemon", "[cli][apply]") {
  CHECK(IsKubectlRun({"web", "--image", "busybox"}));
  CHECK(IsKubectlRun({"web", "--image=busybox", "--", "echo"}));
  CHECK_FALSE(IsKubectlRun({"--pod-manifest-path", "/m"}));
  CHECK_FALSE(IsKubectlRun({"web", "--", "--image", "x"}));  // the container's words, not a flag
}

TEST_CASE("wait: --for parses as kubectl's and conditions are judged on the pod's JSON", "[cli][apply]") {
  const json running = json::parse(R"({"status": {"phase": "Running",
      "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}],
      "containerStatuses": [{"name": "c", "ready": false, "restartCount": 2}]}})");
  json ready = running;
  ready["status"]["conditions"][1]["status"] = "True";
  struct Case {
    std::string for_text;
    std::optional<json> pod;
    bool met;
  };
  for (const auto& c : std::vector<Case>{
           {"condition=Ready", running, false},
           {"condition=Ready", ready, true},
           {"condition=ready", ready, true},
           {"condition=Ready=False", running, true},
           {"condition=Ready", std::nullopt, false},  // not listed yet: wait on
           {"delete", std::nullopt, true},
           {"delete", running, false},
           {"jsonpath={.status.phase}=Running", running, true},
           {"jsonpath={.status.phase}=Succeeded", running, false},
           {"jsonpath=.status.phase=Running", running, true},
           {"jsonpath={.status.containerStatuses[0].restartCount}=2", running, true},
           {"jsonpath={.status.containerStatuses[1].ready}=true", running, false},
       }) {
    INFO(c.for_text);
    WaitCondition w;
    REQUIRE(ParseWaitFor(c.for_text, &w).ok());
    CHECK(WaitConditionMet(w, c.pod) == c.met);
  }
  WaitCondition w;
  CHECK(ParseWaitFor("ready", &w).message() == "unrecognized condition: \"ready\"");
  CHECK_FALSE(ParseWaitFor("jsonpath={.status.phase}", &w).ok());
}

namespace {

// A LocatorIo with canned answers that records what was asked.
struct FakeIo {
  std::map<std::string, ConfigFacts> configs;
  std::map<std::string, std::string> configz;  // server -> staticPodPath
  std::vector<std::string> asked;
  LocatorIo io() {
    LocatorIo io;
    io.read_config = [this](const std::string& path, ConfigFacts* out) {
      asked.push_back("config " + path);
      auto it = configs.find(path);
      if (it == configs.end()) return Status::NotFound("no such file");
      *out = it->second;
      return Status::Ok();
    };
    io.ask_configz = [this](const std::string& server, std::string* path) {
      asked.push_back("configz " + server);
      auto it = configz.find(server);
      if (it == configz.end()) return Status::Unavailable("cannot reach crilet at " + server);
      *path = it->second;
      return Status::Ok();
    };
    return io;
  }
};

}  // namespace

TEST_CASE("discovery: flags, then --config or /etc/crilet/config.yaml, then the daemon's /configz", "[cli][apply]") {
  FakeIo fake;
  fake.configs["/etc/crilet/config.yaml"] = {std::string("/etc/kubernetes/manifests"), std::nullopt, 10255};
  fake.configs["/my.yaml"] = {std::string("/srv/m"), std::string("0.0.0.0"), 20255};
  fake.configz["http://127.0.0.1:10255"] = "/from/configz";
  fake.configz["http://127.0.0.1:30000"] = "/other/configz";
  LocatorInputs in;
  in.default_server = "http://127.0.0.1:10255";
  DaemonLocation out;

  // 1. Flags win, and nothing is read.
  in.manifest_dir_flag = "/flag";
  in.server_flag = "http://127.0.0.1:30000";
  REQUIRE(LocateDaemon(in, fake.io(), true, &out).ok());
  CHECK((out.manifest_dir == "/flag" && out.server == "http://127.0.0.1:30000"));
  CHECK(fake.asked.empty());

  // 2. --config: staticPodPath and address:readOnlyPort.
  in = LocatorInputs{};
  in.default_server = "http://127.0.0.1:10255";
  in.config_flag = "/my.yaml";
  in.default_config_exists = true;
  REQUIRE(LocateDaemon(in, fake.io(), true, &out).ok());
  CHECK((out.manifest_dir == "/srv/m" && out.server == "http://127.0.0.1:20255" && out.manifest_dir_from == "/my.yaml"));

  // 3. --server alone: that daemon's /configz, not the machine's config file.
  in.config_flag.clear();
  in.server_flag = "http://127.0.0.1:30000";
  fake.asked.clear();
  REQUIRE(LocateDaemon(in, fake.io(), true, &out).ok());
  CHECK(out.manifest_dir == "/other/configz");
  CHECK(fake.asked == std::vector<std::string>{"configz http://127.0.0.1:30000"});

  // 4. /etc/crilet/config.yaml when it exists.
  in.server_flag.clear();
  REQUIRE(LocateDaemon(in, fake.io(), true, &out).ok());
  CHECK((out.manifest_dir == "/etc/kubernetes/manifests" && out.server == "http://127.0.0.1:10255"));

  // 5. The default server's /configz.
  in.default_config_exists = false;
  REQUIRE(LocateDaemon(in, fake.io(), true, &out).ok());
  CHECK((out.manifest_dir == "/from/configz" && out.manifest_dir_from == "http://127.0.0.1:10255/configz"));

  // Nothing answers: one sentence naming every place looked at.
  fake.configz.clear();
  Status s = LocateDaemon(in, fake.io(), true, &out);
  CHECK(s.message() ==
        "cannot find the manifest directory: no --manifest-dir, no /etc/crilet/config.yaml, and no crilet answering on "
        "http://127.0.0.1:10255 (/configz: cannot reach crilet at http://127.0.0.1:10255)");
  // Only the server is wanted (wait): no /configz call at all.
  fake.asked.clear();
  REQUIRE(LocateDaemon(in, fake.io(), false, &out).ok());
  CHECK(out.server == "http://127.0.0.1:10255");
  CHECK(fake.asked.empty());

  // A config without staticPodPath is named.
  fake.configs["/nopath.yaml"] = {std::nullopt, std::nullopt, std::nullopt};
  in.config_flag = "/nopath.yaml";
  CHECK(LocateDaemon(in, fake.io(), true, &out).message() ==
        "cannot find the manifest directory: /nopath.yaml has no staticPodPath; set it, or pass --manifest-dir");
  in.config_flag = "/missing.yaml";
  CHECK(LocateDaemon(in, fake.io(), true, &out).message() == "cannot read the kubelet config /missing.yaml: no such file");

  // readOnlyPort: 0: no server, and the config that says so, for the CLI to read the runtime and manifests.
  fake.configs["/off.yaml"] = {std::string("/srv/m"), std::nullopt, 0};
  in = LocatorInputs{};
  in.default_server = "http://127.0.0.1:10255";
  in.config_flag = "/off.yaml";
  REQUIRE(LocateDaemon(in, fake.io(), false, &out).ok());
  CHECK((out.server.empty() && out.config_file == "/off.yaml"));
  // The machine's config too, when nothing names another daemon; $CRILET_SERVER (or --server) skips it.
  fake.configs["/etc/crilet/config.yaml"] = fake.configs["/off.yaml"];
  in.config_flag.clear();
  in.default_config_exists = true;
  REQUIRE(LocateDaemon(in, fake.io(), false, &out).ok());
  CHECK((out.server.empty() && out.config_file == "/etc/crilet/config.yaml"));
  in.server_flag = "http://127.0.0.1:30000";
  REQUIRE(LocateDaemon(in, fake.io(), false, &out).ok());
  CHECK((out.server == "http://127.0.0.1:30000" && out.config_file.empty()));

  CHECK(ServerFromConfig({std::nullopt, std::string("::"), 10255}) == "http://[::1]:10255");
  CHECK(ServerFromConfig({std::nullopt, std::nullopt, 0}).empty());
}

TEST_CASE("apply: atomic write under a name the daemon skips, with the mode asked and no temp left", "[cli][apply]") {
  CHECK(manifests::IgnoredManifestName(TemporaryName("default.web.pod.yaml")));
  char tmpl[] = "/tmp/crilet-apply-unit.XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  ::umask(0077);  // a strict umask must not narrow 0644, nor a loose one widen 0600
  REQUIRE(WriteManifestAtomically(dir, "default.web.pod.yaml", "one\n", 0644).ok());
  REQUIRE(WriteManifestAtomically(dir, "default.db.secret.yaml", "s\n", 0600).ok());
  ::umask(0022);
  struct stat info {};
  REQUIRE(::stat((dir + "/default.web.pod.yaml").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  REQUIRE(::stat((dir + "/default.db.secret.yaml").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  if (::geteuid() == 0) CHECK(info.st_uid == 0u);
  // Replacing keeps one file with the new bytes, and no temporary.
  REQUIRE(WriteManifestAtomically(dir, "default.web.pod.yaml", "two\n", 0644).ok());
  std::optional<std::string> got;
  REQUIRE(ReadExisting(dir + "/default.web.pod.yaml", &got).ok());
  CHECK(got == std::optional<std::string>("two\n"));
  CHECK(::access((dir + "/" + TemporaryName("default.web.pod.yaml")).c_str(), F_OK) != 0);
  REQUIRE(ReadExisting(dir + "/none.yaml", &got).ok());
  CHECK_FALSE(got.has_value());
  for (const char* n : {"default.web.pod.yaml", "default.db.secret.yaml"}) ::unlink((dir + "/" + n).c_str());
  CHECK(::rmdir(dir.c_str()) == 0);
}

TEST_CASE("apply: -f DIR reads *.yaml, *.yml and *.json in order, no dot-names", "[cli][apply]") {
  CHECK(ManifestFilesOf({"b.yaml", ".a.yaml", "a.json", "c.yml", "notes.txt", "d.yaml~"}) ==
        std::vector<std::string>{"a.json", "b.yaml", "c.yml"});
  CHECK(IsManifestUrl("https://x/p.yaml"));
  CHECK_FALSE(IsManifestUrl("./http"));
}

TEST_CASE("apply: written files keep quoted scalars strings, so the loader reads what the user wrote", "[cli][apply]") {
  const std::string in =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: q, labels: {v: \"1.0\", b: \"true\"}}\n"
      "spec:\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, \"3600\"]\n"
      "    env: [{name: A, value: \"1\"}, {name: B, value: \"yes\"}, {name: C, value: \"null\"}]\n"
      "    resources: {}\n";
  std::vector<AppliedObject> objects;
  std::string error;
  REQUIRE(SplitObjects(in, &objects, &error));
  REQUIRE(objects.size() == 1);
  manifests::LoadOptions lo;
  lo.node_name = "node1";
  lo.source = {"file", "default.q.pod.yaml", 0};
  auto original = manifests::LoadManifest(in, lo);
  auto written = manifests::LoadManifest(objects[0].content, lo);
  CHECK(written.errors.empty());
  CHECK(written.warnings.empty());  // no "expected a string, found the number": the quotes survived
  REQUIRE(written.pods.size() == 1);
  REQUIRE(original.pods.size() == 1);
  CHECK(written.pods[0].spec == original.pods[0].spec);
  CHECK(written.pods[0].metadata.labels == original.pods[0].metadata.labels);
  // Deterministic: the same input gives the same bytes, so a second apply is "unchanged".
  std::vector<AppliedObject> again;
  REQUIRE(SplitObjects(in, &again, &error));
  CHECK(again[0].content == objects[0].content);
}

TEST_CASE("apply: an invalid input refuses everything; a valid set prints kubectl's lines and no secret value", "[cli][apply]") {
  char tmpl[] = "/tmp/crilet-apply-unit.XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: pw-91ab}\n";
  const std::string bad = "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n"
                          "    image: i\n    ports: [{containerPort: 70000}]\n";
  std::ostringstream out, err;
  CHECK(ApplyManifests({{"s.yaml", false, secret}, {"bad.yaml", false, bad}}, dir, "node1", out, err) == 1);
  CHECK(out.str().empty());
  CHECK(err.str().find("error: bad.yaml:8: spec.containers[0].ports[0].containerPort: ") != std::string::npos);
  CHECK(err.str().find("error: nothing applied: 1 error in the manifests") != std::string::npos);
  CHECK(::access((dir + "/default.db.secret.yaml").c_str(), F_OK) != 0);

  std::ostringstream out2, err2;
  CHECK(ApplyManifests({{"s.yaml", false, secret}}, dir, "node1", out2, err2) == 0);
  CHECK(out2.str() == "secret/db created\n");
  std::ostringstream out3, err3;
  CHECK(ApplyManifests({{"s.yaml", false, secret}}, dir, "node1", out3, err3) == 0);
  CHECK(out3.str() == "secret/db unchanged\n");
  for (const auto& text : {out2.str(), err2.str(), out3.str(), err3.str(), err.str()}) CHECK(text.find("pw-91ab") == std::string::npos);
  struct stat info {};
  REQUIRE(::stat((dir + "/default.db.secret.yaml").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  ::unlink((dir + "/default.db.secret.yaml").c_str());
  CHECK(::rmdir(dir.c_str()) == 0);
}
