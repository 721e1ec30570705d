// Pull credentials: docker config parsing, kubelet's keyring matching, the node search paths, pod
// imagePullSecrets, and what EnsureImage sends to the runtime.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <sstream>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "agent/docker_config.h"
#include "agent/docker_keyring.h"
#include "agent/events.h"
#include "agent/image_puller.h"
#include "agent/pull_credentials.h"
#include "common/base64.h"
#include "cri/fake_runtime.h"
#include "manifests/parser.h"

using namespace crilet;
using namespace crilet::agent;

namespace {

// A file system of credential files, by path; `unreadable` ones exist but cannot be read.
class FakeCredentialFiles : public CredentialFileReader {
 public:
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> unreadable;
  mutable int reads = 0;
  bool Read(const std::string& path, std::string* contents, std::string* error) const override {
    ++reads;
    if (auto it = unreadable.find(path); it != unreadable.end()) {
      *error = it->second;
      return false;
    }
    auto it = files.find(path);
    if (it == files.end()) return false;
    *contents = it->second;
    return true;
  }
};

std::string Auths(const std::string& key, const std::string& user, const std::string& password) {
  return R"({"auths": {")" + key + R"(": {"auth": ")" + EncodeBase64(user + ":" + password) + R"("}}})";
}

DockerConfig Parsed(const std::string& json) {
  DockerConfig c;
  std::string error;
  REQUIRE(ParseDockerConfigJson(json, &c, &error));
  return c;
}

std::vector<std::string> Users(const std::vector<PullCredential>& creds) {
  std::vector<std::string> out;
  for (const auto& c : creds) out.push_back(c.auth.username);
  return out;
}

manifests::Pod PodWith(std::vector<std::string> pull_secrets, const std::string& ns = "test") {
  manifests::Pod pod;
  pod.metadata.name = "p";
  pod.metadata.namespace_ = ns;
  pod.metadata.uid = "uid-1";
  pod.spec.image_pull_secrets = std::move(pull_secrets);
  return pod;
}

manifests::Secret PullSecret(const std::string& name, const std::string& type, const std::string& key,
                             const std::string& value, const std::string& ns = "test") {
  manifests::Secret s;
  s.name = name;
  s.namespace_ = ns;
  s.type = type;
  s.data[key] = value;
  return s;
}

// Captures what crilet logs while it lives.
struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> saved = spdlog::default_logger();
  LogCapture() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(saved); }
  int Count(const std::string& needle) {
    spdlog::default_logger()->flush();
    std::string text = out.str();
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("docker config.json: auth, username and password, tokens", "[pullcreds]") {
  DockerConfig c = Parsed(R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": ")" + EncodeBase64("hub:pa:ss") + R"(", "email": "a@b.c"},
      "quay.io": {"username": "q", "password": "qp"},
      "both.io": {"username": "ignored", "password": "ignored", "auth": ")" + EncodeBase64("u:p") + R"("},
      "token.io": {"identitytoken": "refresh", "registrytoken": "bearer"},
      "empty-auth.io": {"auth": "", "username": "kept", "password": "kept-too"},
      "nulls.io": {"username": null}
    },
    "credsStore": "desktop", "HttpHeaders": {"X": "y"}})");
  CHECK(c.size() == 6);
  // Only the first ':' separates user from password, as kubelet's SplitN(decoded, ":", 2).
  CHECK(c["https://index.docker.io/v1/"] == DockerConfigEntry{"hub", "pa:ss", "", ""});
  CHECK(c["quay.io"] == DockerConfigEntry{"q", "qp", "", ""});
  CHECK(c["both.io"] == DockerConfigEntry{"u", "p", "", ""});  // auth wins
  CHECK(c["token.io"] == DockerConfigEntry{"", "", "refresh", "bearer"});
  CHECK(c["empty-auth.io"] == DockerConfigEntry{"kept", "kept-too", "", ""});
  CHECK(c["nulls.io"] == DockerConfigEntry{});
}

TEST_CASE("docker config.json without auths is valid and empty", "[pullcreds]") {
  CHECK(Parsed(R"({"credHelpers": {"gcr.io": "gcloud"}})").empty());
  CHECK(Parsed(R"({"auths": null})").empty());
  CHECK(Parsed(R"({"auths": {}})").empty());
}

TEST_CASE("legacy .dockercfg: registry keys at the top level", "[pullcreds]") {
  DockerConfig c;
  std::string error;
  REQUIRE(ParseDockercfg(R"({"https://r.io": {"auth": ")" + EncodeBase64("a:b") + R"("}})", &c, &error));
  CHECK(c == DockerConfig{{"https://r.io", {"a", "b", "", ""}}});
  // A config.json read as .dockercfg: "auths" is taken for a registry key with no credentials (unknown
  // fields are ignored, as Go's json does), so nothing matches.
  REQUIRE(ParseDockercfg(R"({"auths": {"r.io": {"auth": 5}}})", &c, &error));
  CHECK(c == DockerConfig{{"auths", {}}});
  CHECK_FALSE(ParseDockercfg(R"({"r.io": {"auth": 5}})", &c, &error));
  CHECK(error == "[\"r.io\"].auth: must be a string");
}

TEST_CASE("malformed docker configs name the field and never quote a value", "[pullcreds]") {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::string secret = "s3cr3t-Pa55";
  std::vector<Case> cases = {
      {"{\"auths\": {\"r.io\": {\"password\": \"" + secret, "not valid JSON (at byte"},
      {"\"" + secret + "\"", "the document: must be an object"},
      {"[1]", "the document: must be an object"},
      {R"({"auths": ["r.io"]})", "auths: must be an object"},
      {R"({"auths": {"r.io": "x"}})", "auths[\"r.io\"]: must be an object"},
      {R"({"auths": {"r.io": {"username": 7}}})", "auths[\"r.io\"].username: must be a string"},
      {R"({"auths": {"r.io": {"password": ["x"]}}})", "auths[\"r.io\"].password: must be a string"},
      {"{\"auths\": {\"r.io\": {\"auth\": \"" + secret + "!\"}}}", "auths[\"r.io\"].auth: must be base64 of username:password"},
      {"{\"auths\": {\"r.io\": {\"auth\": \"" + EncodeBase64(secret) + "\"}}}",
       "auths[\"r.io\"].auth: must be base64 of username:password (no ':' in the decoded value)"},
      {"", "not valid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    DockerConfig out{{"stale", {}}};
    std::string error;
    CHECK_FALSE(ParseDockerConfigJson(c.json, &out, &error));
    CHECK(error.rfind(c.error, 0) == 0);
    CHECK(error.find(secret) == std::string::npos);
    CHECK(error.find(EncodeBase64(secret)) == std::string::npos);
  }
}

TEST_CASE("registry keys normalise as kubelet's keyring Add", "[pullcreds]") {
  CHECK(NormalizeRegistryKey("https://index.docker.io/v1/") == "index.docker.io");
  CHECK(NormalizeRegistryKey("http://quay.io/v2/org") == "quay.io/org");
  CHECK(NormalizeRegistryKey("quay.io") == "quay.io");
  CHECK(NormalizeRegistryKey("quay.io/") == "quay.io");
  CHECK(NormalizeRegistryKey("reg.local:5000/team/app") == "reg.local:5000/team/app");
  CHECK(NormalizeRegistryKey("*.example.com") == "*.example.com");
}

TEST_CASE("image names normalise as docker references", "[pullcreds]") {
  CHECK(NormalizeImageRepository("busybox") == "docker.io/library/busybox");
  CHECK(NormalizeImageRepository("busybox:1.36") == "docker.io/library/busybox");
  CHECK(NormalizeImageRepository("user/app:v1") == "docker.io/user/app");
  CHECK(NormalizeImageRepository("docker.io/busybox") == "docker.io/library/busybox");
  CHECK(NormalizeImageRepository("index.docker.io/user/app") == "docker.io/user/app");
  CHECK(NormalizeImageRepository("quay.io/org/app@sha256:abcd") == "quay.io/org/app");
  CHECK(NormalizeImageRepository("reg.local:5000/app:1") == "reg.local:5000/app");
  CHECK(NormalizeImageRepository("localhost/pause:3.9") == "localhost/pause");
  CHECK(NormalizeImageRepository("localhost:5000/a/b") == "localhost:5000/a/b");
}

TEST_CASE("registry key matching: labels, wildcards, ports, path prefixes", "[pullcreds]") {
  struct Case {
    const char* glob;
    const char* target;
    bool match;
  };
  std::vector<Case> cases = {
      {"quay.io", "quay.io/org/app", true},
      {"quay.io/org", "quay.io/org/app", true},
      {"quay.io/org", "quay.io/other/app", false},
      {"quay.io/org", "quay.io/organisation/app", true},  // a string prefix, as kubelet's HasPrefix
      {"*.example.com", "reg.example.com/app", true},
      {"*.example.com", "example.com/app", false},          // label counts differ
      {"*.example.com", "a.b.example.com/app", false},      // `*` stays inside one label
      {"*.*.example.com", "a.b.example.com/app", true},
      {"reg?.example.com", "reg1.example.com/x", true},
      {"reg[0-9].example.com", "reg7.example.com/x", true},
      {"reg[0-9].example.com", "regx.example.com/x", false},
      {"reg[^0-9].example.com", "regx.example.com/x", true},
      {"reg[.example.com", "reg[.example.com/x", false},    // a malformed pattern matches nothing
      {"reg.local:5000", "reg.local:5000/app", true},
      {"reg.local:5000", "reg.local/app", false},
      {"reg.local", "reg.local:5000/app", false},
      {"*.local:5000", "reg.local:5000/app", true},
      {"docker.io", "docker.io/library/busybox", true},
      {"index.docker.io", "docker.io/library/busybox", false},
      {"[::1]:5000", "[::1]:5000/app", true},
  };
  for (const auto& c : cases) {
    INFO(c.glob << " vs " << c.target);
    CHECK(RegistryKeyMatches(c.glob, c.target) == c.match);
  }
}

TEST_CASE("keyring lookup: most specific key first, every match, Docker Hub fallback", "[pullcreds]") {
  DockerKeyring k;
  k.Add(Parsed(Auths("quay.io", "host", "1")), "a");
  k.Add(Parsed(Auths("quay.io/org", "org", "2")), "a");
  k.Add(Parsed(Auths("https://quay.io/v1/", "host-again", "3")), "b");  // same key as quay.io, added later
  k.Add(Parsed(Auths("*.quay.io", "wild", "4")), "b");
  k.Add(Parsed(Auths("https://index.docker.io/v1/", "hub", "5")), "c");
  CHECK(Users(k.Lookup("quay.io/org/app")) == std::vector<std::string>{"org", "host", "host-again"});
  CHECK(Users(k.Lookup("quay.io/other/app")) == std::vector<std::string>{"host", "host-again"});
  CHECK(Users(k.Lookup("eu.quay.io/org/app")) == std::vector<std::string>{"wild"});
  CHECK(Users(k.Lookup("docker.io/library/busybox")) == std::vector<std::string>{"hub"});
  CHECK(k.Lookup("ghcr.io/org/app").empty());
  // kubelet's isDefaultRegistryMatch: a first component without '.' or ':' counts as Docker Hub.
  CHECK(Users(k.Lookup("localhost/pause")) == std::vector<std::string>{"hub"});
  CHECK(k.Lookup("reg.local:5000/app").empty());
  // A docker.io key matches by itself, and then the fallback is not used.
  k.Add(Parsed(Auths("docker.io", "direct", "6")), "d");
  CHECK(Users(k.Lookup("docker.io/library/busybox")) == std::vector<std::string>{"direct"});
  auto creds = k.Lookup("quay.io/org/app");
  REQUIRE(creds.size() == 3);
  CHECK(creds[0].source == "a");
  CHECK(creds[0].key == "quay.io/org");
  CHECK(creds[0].auth.password == "2");
  CHECK(creds[0].auth.server_address.empty());  // kubelet sends none
  CHECK(creds[2].source == "b");
}

TEST_CASE("node credential search paths are kubelet's", "[pullcreds]") {
  auto paths = NodeCredentialPaths("/var/lib/crilet", "/work", "/home/u");
  std::vector<CredentialFile> want = {
      {"/var/lib/crilet/config.json", false}, {"/work/config.json", false},  {"/home/u/.docker/config.json", false},
      {"/.docker/config.json", false},        {"/var/lib/crilet/.dockercfg", true}, {"/work/.dockercfg", true},
      {"/home/u/.dockercfg", true},           {"/.dockercfg", true},
  };
  CHECK(paths == want);
  // No $HOME, and a working dir of / (the daemon under systemd): no duplicates.
  auto root_cwd = NodeCredentialPaths("/var/lib/crilet", "/", "");
  std::vector<CredentialFile> want2 = {{"/var/lib/crilet/config.json", false}, {"/config.json", false},
                                       {"/.docker/config.json", false},        {"/var/lib/crilet/.dockercfg", true},
                                       {"/.dockercfg", true}};
  CHECK(root_cwd == want2);
}

TEST_CASE("node credentials: the first valid config.json wins, malformed files are skipped", "[pullcreds]") {
  auto paths = NodeCredentialPaths("/root-dir", "/cwd", "/home/u");
  FakeCredentialFiles fs;
  SECTION("no files: an empty keyring") {
    NodeCredentialScan scan = ScanNodeCredentials(fs, paths);
    CHECK(scan.keyring.empty());
    CHECK(scan.used.empty());
    CHECK(scan.skipped.empty());
  }
  SECTION("root dir first, files are not merged") {
    fs.files["/root-dir/config.json"] = Auths("r.io", "root", "x");
    fs.files["/home/u/.docker/config.json"] = Auths("h.io", "home", "x");
    NodeCredentialScan scan = ScanNodeCredentials(fs, paths);
    CHECK(scan.used == "/root-dir/config.json");
    CHECK(Users(scan.keyring.Lookup("r.io/a")) == std::vector<std::string>{"root"});
    CHECK(scan.keyring.Lookup("h.io/a").empty());
  }
  SECTION("a malformed or unreadable file is skipped with its reason") {
    fs.files["/root-dir/config.json"] = "{\"auths\": {\"r.io\": {\"auth\": \"bad\"}}}";
    fs.unreadable["/cwd/config.json"] = "cannot read it: Permission denied";
    fs.files["/home/u/.docker/config.json"] = Auths("h.io", "home", "x");
    NodeCredentialScan scan = ScanNodeCredentials(fs, paths);
    CHECK(scan.used == "/home/u/.docker/config.json");
    REQUIRE(scan.skipped.size() == 2);
    CHECK(scan.skipped[0].first == "/root-dir/config.json");
    CHECK(scan.skipped[0].second.find("auths[\"r.io\"].auth") == 0);
    CHECK(scan.skipped[1] == std::pair<std::string, std::string>{"/cwd/config.json", "cannot read it: Permission denied"});
  }
  SECTION(".dockercfg only when no config.json is valid") {
    fs.files["/root-dir/config.json"] = "not json";
    fs.files["/home/u/.dockercfg"] = R"({"l.io": {"username": "legacy", "password": "x"}})";
    NodeCredentialScan scan = ScanNodeCredentials(fs, paths);
    CHECK(scan.used == "/home/u/.dockercfg");
    CHECK(Users(scan.keyring.Lookup("l.io/a")) == std::vector<std::string>{"legacy"});
    fs.files["/.docker/config.json"] = Auths("j.io", "json", "x");
    CHECK(ScanNodeCredentials(fs, paths).used == "/.docker/config.json");
  }
}

TEST_CASE("node credentials are read again after the TTL, so a new file needs no restart", "[pullcreds]") {
  FakeClock clock;
  FakeCredentialFiles fs;
  NodeCredentials node(&fs, &clock, NodeCredentialPaths("/r", "/c", ""), std::chrono::seconds(5));
  CHECK(node.Keyring().empty());
  int reads = fs.reads;
  fs.files["/r/config.json"] = Auths("r.io", "u", "p");
  CHECK(node.Keyring().empty());  // cached
  CHECK(fs.reads == reads);
  clock.Advance(std::chrono::seconds(5));
  CHECK(Users(node.Keyring().Lookup("r.io/x")) == std::vector<std::string>{"u"});
  fs.files.erase("/r/config.json");
  clock.Advance(std::chrono::seconds(6));
  CHECK(node.Keyring().empty());
}

TEST_CASE("a malformed node file is warned about once, naming it, and again only when it changes", "[pullcreds]") {
  LogCapture log;
  FakeClock clock;
  FakeCredentialFiles fs;
  const std::string password = "Sup3r-secret";
  fs.files["/r/config.json"] = R"({"auths": {"r.io": {"username": "u", "password": ")" + password + R"(", "auth": 1}}})";
  NodeCredentials node(&fs, &clock, NodeCredentialPaths("/r", "/c", ""), std::chrono::seconds(0));
  for (int i = 0; i < 3; ++i) {
    CHECK(node.Keyring().empty());
    clock.Advance(std::chrono::seconds(1));
  }
  CHECK(log.Count("pull credentials: skipping /r/config.json: auths[\"r.io\"].auth: must be a string") == 1);
  fs.files["/r/config.json"] = "{";
  CHECK(node.Keyring().empty());
  CHECK(log.Count("pull credentials: skipping /r/config.json: not valid JSON") == 1);
  fs.files["/r/config.json"] = Auths("r.io", "u", password);
  CHECK_FALSE(node.Keyring().empty());
  CHECK(log.Count("pull credentials: node credentials from /r/config.json") == 1);
  CHECK(log.Count(password) == 0);
  CHECK(log.Count(EncodeBase64("u:" + password)) == 0);
}

TEST_CASE("pod imagePullSecrets come before node credentials", "[pullcreds]") {
  manifests::LocalObjects objects;
  objects.secrets.push_back(PullSecret("json", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", Auths("r.io", "pod-json", "x")));
  objects.secrets.push_back(PullSecret("cfg", "kubernetes.io/dockercfg", ".dockercfg", R"({"r.io/team": {"username": "pod-cfg", "password": "y"}})"));
  objects.secrets.push_back(PullSecret("opaque", "Opaque", ".dockerconfigjson", Auths("r.io", "opaque", "x")));
  objects.secrets.push_back(PullSecret("other-ns", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", Auths("r.io", "other", "x"), "default"));
  DockerKeyring node;
  node.Add(Parsed(Auths("r.io", "node", "z")), "/root/config.json");

  auto pod = PodWith({"json", "cfg", "opaque", "other-ns", "gone", ""});
  ImagePullCredentials got = CredentialsForImage(pod, "r.io/team/app:1", objects, node);
  CHECK(got.error.empty());
  // One keyring for all pod secrets (kubelet's MakeDockerKeyring): the more specific key first.
  CHECK(Users(got.credentials) == std::vector<std::string>{"pod-cfg", "pod-json", "node"});
  CHECK(got.credentials[0].source == "secret test/cfg");
  CHECK(MissingPullSecrets(pod, objects) == std::vector<std::string>{"other-ns", "gone"});
  CHECK(MissingPullSecretsMessage({"other-ns", "gone"}) ==
        "Unable to retrieve some image pull secrets (other-ns, gone); attempting to pull the image may not succeed.");
  CHECK(Users(CredentialsForImage(PodWith({}), "r.io/x", objects, node).credentials) == std::vector<std::string>{"node"});
  CHECK(CredentialsForImage(PodWith({}), "s.io/x", objects, node).credentials.empty());
}

TEST_CASE("a pull secret that does not parse fails the pull with its name, not its content", "[pullcreds]") {
  manifests::LocalObjects objects;
  objects.secrets.push_back(PullSecret("bad", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", R"({"auths": {"r.io": {"password": 1234}}})"));
  ImagePullCredentials got = CredentialsForImage(PodWith({"bad"}), "r.io/x", objects, DockerKeyring{});
  CHECK(got.error == "image pull secret test/bad: data[.dockerconfigjson]: auths[\"r.io\"].password: must be a string");
  CHECK(got.credentials.empty());
}

namespace {

struct PullHarness {
  FakeClock clock;
  cri::FakeRuntime runtime{&clock};
  EventRecorder events{&clock};
  FakeCredentialFiles files;
  NodeCredentials node{&files, &clock, NodeCredentialPaths("/root", "/cwd", ""), std::chrono::seconds(0)};
  manifests::LocalObjects objects;
  Backoff backoff{std::chrono::seconds(10), std::chrono::seconds(300)};
  Services env;
  manifests::Pod pod = PodWith({});
  manifests::Container c;

  PullHarness() {
    env.runtime = &runtime;
    env.clock = &clock;
    env.events = &events;
    env.node_credentials = &node;
    env.objects = [this] { return objects; };
    c.name = "c";
    c.image = "r.io/team/app:1";
    c.image_pull_policy = "Always";
    pod.spec.containers.push_back(c);
    runtime.SetPullable(c.image, true);
  }
  bool Pull(StartFailure* failure) {
    std::string ref;
    cri::SandboxConfig sandbox;
    return EnsureImage(env, pod, c, sandbox, "spec.containers{c}", &backoff, &ref, failure);
  }
  bool HasEvent(const std::string& reason, const std::string& message_part) const {
    for (const auto& e : events.Events(pod.metadata.uid)) {
      if (e.reason == reason && e.message.find(message_part) != std::string::npos) return true;
    }
    return false;
  }
  bool AnyEventContains(const std::string& text) const {
    for (const auto& e : events.Events(pod.metadata.uid)) {
      if (e.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

cri::AuthConfig UserPass(const std::string& u, const std::string& p) {
  cri::AuthConfig a;
  a.username = u;
  a.password = p;
  return a;
}

}  // namespace

TEST_CASE("EnsureImage: an anonymous pull sends no auth", "[pullcreds]") {
  PullHarness h;
  StartFailure f;
  REQUIRE(h.Pull(&f));
  auto pulls = h.runtime.Pulls();
  REQUIRE(pulls.size() == 1);
  CHECK(pulls[0].image == "r.io/team/app:1");
  CHECK_FALSE(pulls[0].auth.has_value());
}

TEST_CASE("EnsureImage: without credentials a registry needing them gives ErrImagePull with its message", "[pullcreds]") {
  PullHarness h;
  h.runtime.RequirePullAuth(h.c.image, UserPass("alice", "wonder-Land-9"));
  StartFailure f;
  CHECK_FALSE(h.Pull(&f));
  CHECK(f.reason == "ErrImagePull");
  CHECK(f.message.rfind("Failed to pull image \"r.io/team/app:1\": ", 0) == 0);
  CHECK(f.message.find("401 Unauthorized") != std::string::npos);
}

TEST_CASE("EnsureImage: node credentials from the root dir are sent as CRI AuthConfig", "[pullcreds]") {
  PullHarness h;
  h.runtime.RequirePullAuth(h.c.image, UserPass("alice", "wonder-Land-9"));
  h.files.files["/root/config.json"] = Auths("r.io", "alice", "wonder-Land-9");
  StartFailure f;
  REQUIRE(h.Pull(&f));
  auto pulls = h.runtime.Pulls();
  REQUIRE(pulls.size() == 1);
  REQUIRE(pulls[0].auth.has_value());
  CHECK(*pulls[0].auth == UserPass("alice", "wonder-Land-9"));
  CHECK_FALSE(h.AnyEventContains("wonder-Land-9"));
}

TEST_CASE("EnsureImage: every matching credential is tried in order until one works", "[pullcreds]") {
  PullHarness h;
  h.runtime.RequirePullAuth(h.c.image, UserPass("alice", "right"));
  h.objects.secrets.push_back(PullSecret("old", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", Auths("r.io/team", "alice", "stale")));
  h.files.files["/root/config.json"] = Auths("r.io", "alice", "right");
  h.pod.spec.image_pull_secrets = {"old"};
  StartFailure f;
  REQUIRE(h.Pull(&f));
  auto pulls = h.runtime.Pulls();
  REQUIRE(pulls.size() == 2);
  CHECK(pulls[0].auth->password == "stale");  // the pod's secret first
  CHECK(pulls[1].auth->password == "right");
}

TEST_CASE("EnsureImage: when every credential fails the errors are aggregated", "[pullcreds]") {
  PullHarness h;
  h.runtime.RequirePullAuth(h.c.image, UserPass("alice", "right"));
  h.files.files["/root/config.json"] =
      R"({"auths": {"r.io": {"username": "a", "password": "w1"}, "r.io/team": {"username": "b", "password": "w2"}}})";
  StartFailure f;
  CHECK_FALSE(h.Pull(&f));
  CHECK(f.reason == "ErrImagePull");
  CHECK(f.message.find(": [failed to pull and unpack image") != std::string::npos);
  CHECK(f.message.find("401 Unauthorized, failed to pull") != std::string::npos);
  CHECK(h.runtime.Pulls().size() == 2);
  CHECK_FALSE(h.AnyEventContains("w1"));
  CHECK_FALSE(h.AnyEventContains("w2"));
}

TEST_CASE("EnsureImage: a missing pull secret is a warning event and the pull goes on without it", "[pullcreds]") {
  PullHarness h;
  h.pod.spec.image_pull_secrets = {"regcred"};
  StartFailure f;
  REQUIRE(h.Pull(&f));
  CHECK(h.HasEvent("FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed."));
  REQUIRE(h.runtime.Pulls().size() == 1);
  CHECK_FALSE(h.runtime.Pulls()[0].auth.has_value());
}

TEST_CASE("EnsureImage: a malformed pull secret fails the pull, naming the secret", "[pullcreds]") {
  PullHarness h;
  h.objects.secrets.push_back(PullSecret("bad", "kubernetes.io/dockercfg", ".dockercfg", R"({"r.io": {"auth": "%%%"}})"));
  h.pod.spec.image_pull_secrets = {"bad"};
  StartFailure f;
  CHECK_FALSE(h.Pull(&f));
  CHECK(f.reason == "ErrImagePull");
  CHECK(f.message.find("image pull secret test/bad: data[.dockercfg]: [\"r.io\"].auth: must be base64") != std::string::npos);
  CHECK(h.runtime.Pulls().empty());
}

TEST_CASE("imagePullSecrets is accepted by the parser", "[pullcreds]") {
  auto docs = manifests::ParseManifest(R"(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: test}
spec:
  imagePullSecrets: [{name: regcred}, {name: other}]
  containers: [{name: c, image: busybox}]
)", "p.yaml");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].errors.empty());
  CHECK(docs[0].pod.spec.image_pull_secrets == std::vector<std::string>{"regcred", "other"});
}

TEST_CASE("imagePullSecrets: unknown fields are warned about, a non-list is an error", "[pullcreds]") {
  auto docs = manifests::ParseManifest(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  imagePullSecrets: [{name: a, namespace: other}]
  containers: [{name: c, image: busybox}]
)", "p.yaml");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].errors.empty());
  REQUIRE(docs[0].warnings.size() == 1);
  CHECK(docs[0].warnings[0].path == "spec.imagePullSecrets[0].namespace");
  CHECK(docs[0].pod.spec.image_pull_secrets == std::vector<std::string>{"a"});
  auto bad = manifests::ParseManifest(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  imagePullSecrets: regcred
  containers: [{name: c, image: busybox}]
)", "p.yaml");
  REQUIRE(bad.size() == 1);
  REQUIRE(bad[0].errors.size() == 1);
  CHECK(bad[0].errors[0].path == "spec.imagePullSecrets");
  CHECK(bad[0].errors[0].line == 5);
}
