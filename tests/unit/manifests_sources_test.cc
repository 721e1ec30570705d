// PodConfig over a real temp directory: inotify reactions, rename-into-place, symlinks, last-good, duplicates.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "manifests/dir_source.h"
#include "manifests/pod_config.h"
#include "manifests/static_pod.h"
#include "test_http_server.h"

using namespace crilet;
using namespace crilet::manifests;
namespace fs = std::filesystem;

namespace {

std::string PodYaml(const std::string& name, const std::string& image = "busybox:1.36") {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers:\n  - {name: a, image: \"" +
         image + "\"}\n";
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

// Collects the desired sets PodConfig delivers; waits (bounded) for a condition on the latest.
struct Watcher {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Pod> latest;
  int deliveries = 0;

  void Set(std::vector<Pod> pods) {
    std::lock_guard<std::mutex> lock(mu);
    latest = std::move(pods);
    ++deliveries;
    cv.notify_all();
  }
  bool WaitFor(const std::function<bool(const std::vector<Pod>&)>& cond, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, limit, [&] { return cond(latest); });
  }
  std::vector<std::string> Names() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> out;
    for (const auto& p : latest) out.push_back(p.metadata.name);
    return out;
  }
};

// Polls a condition every 20 ms for up to 3 s (for state that changes without a delivery, like problems).
bool Eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 150; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

bool HasNames(const std::vector<Pod>& pods, std::vector<std::string> names) {
  std::vector<std::string> have;
  for (const auto& p : pods) have.push_back(p.metadata.name);
  std::sort(have.begin(), have.end());
  std::sort(names.begin(), names.end());
  return have == names;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("crilet-src-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("the directory source reacts to changes at once", "[sources]") {
  TempDir dir;
  Write(dir.path / "a.yaml", PodYaml("a"));
  Write(dir.path / ".hidden.yaml", PodYaml("hidden"));
  Write(dir.path / "b.yaml~", PodYaml("backup"));
  Write(dir.path / "c.yaml.swp", PodYaml("swap"));
  RealClock clock;
  Watcher w;
  PodConfig::Options o;
  o.manifest_path = dir.path.string();
  o.node_name = "n1";
  o.file_check_frequency = std::chrono::seconds(60);  // only inotify can explain fast reactions
  PodConfig config(o, [&](std::vector<Pod> p) { w.Set(std::move(p)); }, &clock);
  REQUIRE(config.Start().ok());
  // The first snapshot is there when Start returns; dotfiles and editor files are ignored.
  CHECK(HasNames(w.latest, {"a-n1"}));
  CHECK(w.latest[0].metadata.annotations.count(kConfigSeenAnnotation) == 1);

  SECTION("create, modify, delete") {
    Write(dir.path / "b.yaml", PodYaml("b"));
    REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1", "b-n1"}); }));
    std::string old_uid;
    for (auto& p : w.latest) if (p.metadata.name == "b-n1") old_uid = p.metadata.uid;
    Write(dir.path / "b.yaml", PodYaml("b", "busybox:1.37"));
    REQUIRE(w.WaitFor([&](auto& pods) {
      for (auto& p : pods) if (p.metadata.name == "b-n1") return p.metadata.uid != old_uid;
      return false;
    }));
    fs::remove(dir.path / "b.yaml");
    REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1"}); }));
  }
  SECTION("atomic rename into place") {
    Write(dir.path / ".b.yaml.tmp", PodYaml("b"));
    fs::rename(dir.path / ".b.yaml.tmp", dir.path / "b.yaml");
    REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1", "b-n1"}); }));
    fs::rename(dir.path / "b.yaml", dir.path / ".b.yaml.old");  // renamed away
    REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1"}); }));
  }
  SECTION("a symlinked manifest") {
    TempDir elsewhere;
    Write(elsewhere.path / "real.yaml", PodYaml("linked"));
    fs::create_symlink(elsewhere.path / "real.yaml", dir.path / "linked.yaml");
    REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1", "linked-n1"}); }));
  }
  SECTION("an invalid edit keeps the last valid version and reports the error") {
    std::string uid = w.latest[0].metadata.uid;
    Write(dir.path / "a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: A, image: b}\n");
    REQUIRE(Eventually([&] { return !config.Problems().empty(); }));
    CHECK(w.Names() == std::vector<std::string>{"a-n1"});
    CHECK(w.latest[0].metadata.uid == uid);
    auto problems = config.Problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path == "spec.containers[0].name");
    CHECK(problems[0].line == 6);
    // Fixing it replaces the pod and clears the problem.
    Write(dir.path / "a.yaml", PodYaml("a", "busybox:1.37"));
    REQUIRE(w.WaitFor([&](auto& p) { return p.size() == 1 && p[0].metadata.uid != uid; }));
    CHECK(config.Problems().empty());
    // Deleting the file removes the pod.
    fs::remove(dir.path / "a.yaml");
    REQUIRE(w.WaitFor([](auto& p) { return p.empty(); }));
  }
  SECTION("two files declaring the same pod: the first wins, the second is reported") {
    Write(dir.path / "z.yaml", PodYaml("a", "other:1"));
    REQUIRE(Eventually([&] { return !config.Problems().empty(); }));
    CHECK(w.Names() == std::vector<std::string>{"a-n1"});
    CHECK(w.latest[0].spec.containers[0].image == "busybox:1.36");
    CHECK(config.Problems()[0].message.find("already declared by") != std::string::npos);
  }
  SECTION("a directory that appears later") {
    TempDir parent;
    PodConfig::Options o2 = o;
    o2.manifest_path = (parent.path / "later").string();
    Watcher w2;
    PodConfig late(o2, [&](std::vector<Pod> p) { w2.Set(std::move(p)); }, &clock);
    REQUIRE(late.Start().ok());
    CHECK(w2.latest.empty());
    CHECK(w2.deliveries == 1);  // an empty first snapshot, so orphans can be judged
    fs::create_directories(parent.path / "later");
    Write(parent.path / "later" / "x.yaml", PodYaml("x"));
    REQUIRE(w2.WaitFor([](auto& p) { return HasNames(p, {"x-n1"}); }, std::chrono::seconds(4)));
    late.Stop();
  }
  config.Stop();
}

TEST_CASE("the URL source: Pod or PodList, headers, failures keep the last pods", "[sources][url]") {
  std::mutex mu;
  std::string body = PodYaml("remote");
  int code = 200;
  crilet::testing::TestHttpServer server([&](const std::string&, const std::string&) {
    std::lock_guard<std::mutex> l(mu);
    return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  });
  RealClock clock;
  Watcher w;
  PodConfig::Options o;
  o.manifest_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/pods";
  o.url_headers = {{"X-Token", "secret"}};
  o.http_check_frequency = std::chrono::seconds(60);
  o.node_name = "n1";
  PodConfig config(o, [&](std::vector<Pod> p) { w.Set(std::move(p)); }, &clock);
  REQUIRE(config.Start().ok());
  REQUIRE(HasNames(w.latest, {"remote-n1"}));
  CHECK(w.latest[0].metadata.annotations.at(kConfigSourceAnnotation) == "http");
  CHECK(server.last_request().find("X-Token: secret\r\n") != std::string::npos);

  {
    std::lock_guard<std::mutex> l(mu);
    body = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"items\":[" + std::string(
               "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}},"
               "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}]}");
  }
  config.Rescan();
  REQUIRE(w.WaitFor([](auto& p) { return HasNames(p, {"a-n1", "b-n1"}); }));

  {
    std::lock_guard<std::mutex> l(mu);
    code = 500;
  }
  config.Rescan();
  REQUIRE(Eventually([&] { return !config.Problems().empty(); }));
  CHECK(HasNames(w.latest, {"a-n1", "b-n1"}));  // a failing server does not take pods away
  CHECK(config.Problems()[0].message == "cannot fetch manifests: HTTP status 500 (keeping the last pods)");

  {
    std::lock_guard<std::mutex> l(mu);
    code = 200;
    body = "";
  }
  config.Rescan();
  REQUIRE(w.WaitFor([](auto& p) { return p.empty(); }));  // an empty answer is an empty set (kubelet)
  config.Stop();
}

TEST_CASE("a manifest truncated to nothing keeps its last valid pods and says why", "[sources]") {
  // Found by tests/fault/test_manifest_churn.sh: an emptied file removed its running pod.
  TempDir dir;
  std::map<std::string, FileState> files;
  DirSource::Options o;
  o.path = dir.path.string();
  o.node_name = "node1";
  DirSource source(o, [&](const std::map<std::string, FileState>& f) { files = f; });
  std::string path = (dir.path / "web.yaml").string();
  Write(path, PodYaml("web"));
  source.ScanOnce(true);
  REQUIRE(files[path].pods.size() == 1);
  Write(path, "\n  \n");
  source.ScanOnce(true);
  REQUIRE(files[path].pods.size() == 1);
  CHECK(files[path].pods[0].metadata.name == "web-node1");
  REQUIRE(files[path].errors.size() == 1);
  CHECK(files[path].errors[0].ToString() == path + ": empty file: no pod (delete the file to remove its pods)");
}
