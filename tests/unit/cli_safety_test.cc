// Safe defaults in the CLI: the insecure-manifest flag, loopback status server, node name, SensitiveHostPath
// events once per pod and in describe, validate on FIFOs and devices.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/daemon_config.h"
#include "cli/describe_command.h"
#include "cli/host_path_warnings.h"
#include "cli/validate_command.h"

using namespace crilet;
using namespace crilet::cli;
namespace fs = std::filesystem;

namespace {

struct RecordedEvent {
  std::string uid, type, reason, message, field_path;
};

class FakeEvents : public EventSink {
 public:
  void Record(const std::string& uid, const std::string& type, const std::string& reason, const std::string& message,
              const std::string& field_path) override {
    events.push_back({uid, type, reason, message, field_path});
  }
  std::vector<RecordedEvent> events;
};

manifests::Pod PodWithHostPath(const std::string& uid, const std::string& path) {
  manifests::Pod p;
  p.metadata.name = "web-node1";
  p.metadata.namespace_ = "default";
  p.metadata.uid = uid;
  p.spec.volumes.push_back(manifests::Volume{"host", std::nullopt, manifests::HostPathVolumeSource{path, ""}, std::nullopt, std::nullopt});
  return p;
}

}  // namespace

TEST_CASE("run flags: the status server binds loopback, the insecure-manifest override is off by default", "[cli][safety]") {
  RunFlags f;
  f.pod_manifest_path = "/etc/kubernetes/manifests";
  DaemonConfig c;
  REQUIRE(ResolveDaemonConfig(f, nullptr, &c).ok());
  CHECK(c.address == "127.0.0.1");
  CHECK(c.read_only_port == 10255);
  CHECK_FALSE(c.allow_insecure_manifest_dir);
  // A KubeletConfiguration without `address` keeps crilet's loopback default (kubelet's would be 0.0.0.0).
  manifests::KubeletConfigFile file;
  DaemonConfig from_file;
  REQUIRE(ResolveDaemonConfig(f, &file, &from_file).ok());
  CHECK(from_file.address == "127.0.0.1");

  f.allow_insecure_manifest_dir = true;
  DaemonConfig allowed;
  REQUIRE(ResolveDaemonConfig(f, nullptr, &allowed).ok());
  CHECK(allowed.allow_insecure_manifest_dir);
}

TEST_CASE("run flags: the node name must be a DNS subdomain, as it becomes part of paths", "[cli][safety]") {
  for (const char* bad : {"../x", "a/b", "node_1", "-node"}) {
    INFO(bad);
    RunFlags f;
    f.pod_manifest_path = "/m";
    f.hostname_override = bad;
    DaemonConfig c;
    Status s = ResolveDaemonConfig(f, nullptr, &c);
    CHECK_FALSE(s.ok());
    CHECK(s.message().rfind(std::string("--hostname-override ") + bad + ": ", 0) == 0);
  }
  RunFlags f;
  f.pod_manifest_path = "/m";
  f.hostname_override = "Node1.example";  // lowercased, as kubelet does
  DaemonConfig c;
  CHECK(ResolveDaemonConfig(f, nullptr, &c).ok());
}

TEST_CASE("SensitiveHostPath: one warning event per pod UID, again when the pod comes back", "[cli][safety][hostpath]") {
  FakeEvents events;
  HostPathWarnings w(manifests::SensitivePaths{"/var/lib/crilet", "/run/containerd/containerd.sock"}, &events);
  auto etc = PodWithHostPath("u1", "/etc");
  auto data = PodWithHostPath("u2", "/data");
  w.Observe({etc, data});
  REQUIRE(events.events.size() == 1);
  CHECK(events.events[0].uid == "u1");
  CHECK(events.events[0].type == "Warning");
  CHECK(events.events[0].reason == "SensitiveHostPath");
  CHECK(events.events[0].field_path == "spec.volumes{host}");
  CHECK(events.events[0].message ==
        "volume \"host\" mounts host path /etc: host configuration (/etc); allowed, as kubelet allows it, but its "
        "containers can change the node");
  w.Observe({etc, data});
  w.Observe({data, etc});
  CHECK(events.events.size() == 1);
  w.Observe({data});
  w.Observe({data, etc});
  CHECK(events.events.size() == 2);
  auto edited = PodWithHostPath("u3", "/var/lib/crilet/");  // an edit is a new UID
  w.Observe({edited});
  REQUIRE(events.events.size() == 3);
  CHECK(events.events[2].message.find("crilet's --root-dir (/var/lib/crilet)") != std::string::npos);
}

TEST_CASE("describe shows the SensitiveHostPath warning under the volume and in the events", "[cli][safety][hostpath]") {
  nlohmann::json pod = {
      {"metadata", {{"name", "web-node1"}, {"namespace", "default"}}},
      {"spec",
       {{"containers", nlohmann::json::array()},
        {"volumes", {{{"name", "host"}, {"hostPath", {{"path", "/etc"}, {"type", ""}}}},
                     {{"name", "data"}, {"hostPath", {{"path", "/data"}, {"type", ""}}}}}}}},
      {"status", nlohmann::json::object()},
      {"events",
       {{{"type", "Warning"},
         {"reason", "SensitiveHostPath"},
         {"message", "volume \"host\" mounts host path /etc: host configuration (/etc)"},
         {"count", 1},
         {"involvedObject", {{"fieldPath", "spec.volumes{host}"}}}}}}};
  std::string out = DescribePod(pod, std::chrono::system_clock::now());
  INFO(out);
  CHECK(out.find("    Warning:       SensitiveHostPath: volume \"host\" mounts host path /etc: host configuration (/etc)\n") !=
        std::string::npos);
  // Only under its own volume, and once more among the events.
  size_t first = out.find("SensitiveHostPath");
  size_t data = out.find("  data:\n");
  REQUIRE(data != std::string::npos);
  CHECK(first < data);
  CHECK(out.find("SensitiveHostPath", first + 1) > out.find("Events:"));
}

TEST_CASE("validate reports FIFOs and devices without blocking, and warns about unsafe files", "[cli][safety]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-validate-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  REQUIRE(::mkfifo((dir / "fifo.yaml").c_str(), 0644) == 0);
  fs::create_symlink("/dev/zero", dir / "zero.yaml");
  {
    std::ofstream out(dir / "open.yaml");
    out << "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: b}]}\n";
  }
  ::chmod((dir / "open.yaml").c_str(), 0666);
  std::ostringstream out, err;
  int rc = RunValidate({(dir / "fifo.yaml").string(), (dir / "zero.yaml").string(), (dir / "open.yaml").string()}, "n1",
                       out, err);
  CHECK(rc == 1);
  CHECK(err.str().find("error: " + (dir / "fifo.yaml").string() + ": not a regular file (fifo)\n") != std::string::npos);
  CHECK(err.str().find("error: " + (dir / "zero.yaml").string() + ": not a regular file (character device)\n") !=
        std::string::npos);
  CHECK(err.str().find("warning: " + (dir / "open.yaml").string() +
                       ": crilet run would refuse this file: refusing manifest: world-writable (mode 0666)") != std::string::npos);
  CHECK(out.str().find("name: a-n1") != std::string::npos);  // still printed: validate checks content
  fs::remove_all(dir);
}

TEST_CASE("validate lists ConfigMaps and Secrets by key names only, never a Secret's values", "[cli][safety][objects]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-validate-objects-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "objects.yaml");
    out << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1', b: '2'}\n---\n"
           "apiVersion: v1\nkind: Secret\nmetadata: {name: pw, namespace: test}\nstringData: {password: hunter2}\n";
  }
  ::chmod((dir / "objects.yaml").c_str(), 0644);
  std::ostringstream out, err;
  CHECK(RunValidate({(dir / "objects.yaml").string()}, "n1", out, err) == 0);
  CHECK(out.str() == "# ConfigMap default/cfg: 2 keys (a, b)\n# Secret test/pw (Opaque): 1 key (password)\n");
  CHECK((out.str() + err.str()).find("hunter2") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("validate warns about pull secrets and volume objects the files do not hold", "[cli][objects]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-validate-refs-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "pod.yaml");
    out << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: present, namespace: test}\ndata: {a: '1'}\n---\n"
           "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: test}\nspec:\n"
           "  imagePullSecrets: [{name: regcred}]\n"
           "  containers: [{name: app, image: busybox:1.36}]\n"
           "  volumes:\n"
           "  - {name: a, configMap: {name: present}}\n"
           "  - {name: b, configMap: {name: absent}}\n"
           "  - {name: c, secret: {secretName: maybe, optional: true}}\n"
           "  - {name: d, secret: {secretName: db}}\n";
  }
  ::chmod((dir / "pod.yaml").c_str(), 0644);
  std::ostringstream out, err;
  CHECK(RunValidate({(dir / "pod.yaml").string()}, "n1", out, err) == 0);  // warnings, not errors: objects may come later
  const std::string where = (dir / "pod.yaml").string() + ": pod test/web-n1: ";
  CHECK(err.str() ==
        "warning: " + where + "imagePullSecrets: secret \"regcred\" is not in the files given; crilet would pull without it "
        "(FailedToRetrieveImagePullSecret)\n"
        "warning: " + where + "spec.volumes[1]: configmap \"absent\" is not in the files given; the pod would wait in "
        "ContainerCreating (FailedMount) until it is\n"
        "warning: " + where + "spec.volumes[3]: secret \"db\" is not in the files given; the pod would wait in "
        "ContainerCreating (FailedMount) until it is\n");
  fs::remove_all(dir);
}

TEST_CASE("validate takes a directory, reports every error of every file, and speaks JSON", "[cli][validate]") {
  fs::path dir = fs::temp_directory_path() / ("crilet-validate-dir-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, const char* text) {
    std::ofstream(dir / name) << text;
    ::chmod((dir / name).c_str(), 0644);
  };
  write("a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  containers: [{name: c, image: busybox:1.36}]\n");
  write("b.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  restartPolicy: Sometimes\n"
        "  containers: [{name: c, image: busybox:1.36}, {name: c, image: busybox:1.36}]\n");
  write("notes.txt", "not a manifest");
  std::ostringstream out, err;
  CHECK(RunValidate({dir.string()}, "n1", out, err, true) == 1);
  CHECK(err.str().empty());
  auto j = nlohmann::json::parse(out.str());
  CHECK(j["valid"] == false);
  REQUIRE(j["items"].size() == 1);
  CHECK(j["items"][0]["metadata"]["name"] == "good-n1");
  // Both of b.yaml's errors, with file, line and field; notes.txt is not read.
  std::vector<std::string> fields;
  for (const auto& e : j["errors"]) {
    CHECK(e["file"] == (dir / "b.yaml").string());
    CHECK(e["line"].get<int>() > 0);
    fields.push_back(e["field"]);
  }
  CHECK(fields == std::vector<std::string>{"spec.restartPolicy", "spec.containers[1].name"});
  fs::remove_all(dir);
}
