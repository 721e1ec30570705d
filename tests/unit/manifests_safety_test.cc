// Safe defaults for manifests: owner/mode rules, non-regular files, bounded reads, names before paths,
// sensitive hostPaths.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <thread>

#include "manifests/dir_source.h"
#include "manifests/host_path_safety.h"
#include "manifests/loader.h"
#include "manifests/manifest_file.h"
#include "manifests/path_safety.h"
#include "manifests/yaml_guard.h"

using namespace crilet::manifests;
namespace fs = std::filesystem;

namespace {

std::string PodYaml(const std::string& name, const std::string& image = "busybox:1.36") {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers:\n  - {name: a, image: \"" +
         image + "\"}\n";
}

void Write(const fs::path& p, const std::string& text, mode_t mode = 0644) {
  {
    std::ofstream out(p, std::ios::trunc);
    out << text;
  }
  ::chmod(p.c_str(), mode);  // not left to the umask
}

// A root-or-own-user directory with mode 0755, removed at the end.
struct SafeDir {
  fs::path path;
  SafeDir() {
    path = fs::temp_directory_path() / ("crilet-safe-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(path);
    ::chmod(path.c_str(), 0755);
  }
  ~SafeDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

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

// A DirSource scanned by hand (ScanOnce), keeping the last delivered file states.
struct Scanner {
  std::map<std::string, FileState> files;
  std::unique_ptr<DirSource> source;
  explicit Scanner(const fs::path& path, bool check = true, uint32_t euid = 0) {
    DirSource::Options o;
    o.path = path.string();
    o.node_name = "n1";
    o.check_ownership = check;
    o.euid = euid;
    source = std::make_unique<DirSource>(o, [this](const std::map<std::string, FileState>& f) { files = f; });
  }
  void Scan(bool force = false) { source->ScanOnce(force); }
  std::vector<std::string> Errors(const fs::path& file) {
    std::vector<std::string> out;
    auto it = files.find(file.string());
    if (it == files.end()) return out;
    for (const auto& e : it->second.errors) out.push_back(e.ToString());
    return out;
  }
  std::vector<std::string> Pods() {
    std::vector<std::string> out;
    for (const auto& [path, st] : files) {
      for (const auto& p : st.pods) out.push_back(p.metadata.name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string Uid(const fs::path& file) {
    auto it = files.find(file.string());
    return it == files.end() || it->second.pods.empty() ? "" : it->second.pods[0].metadata.uid;
  }
};

// Tests that chown files or expect root's uid in messages run only as root (as crilet and CI do).
#define REQUIRE_ROOT()                                    \
  do {                                                    \
    if (::geteuid() != 0) {                               \
      WARN("skipped: needs root to chown test files");    \
      return;                                             \
    }                                                     \
  } while (0)

}  // namespace

TEST_CASE("CheckOwnership: writable by others or a non-root group, or owned by another user, is unsafe", "[safety]") {
  struct Row {
    FileOwnership f;
    uint32_t euid;
    std::string reason;
    std::string fix;
  };
  std::vector<Row> rows = {
      {{0, 0, S_IFDIR | 0755}, 0, "", ""},
      {{0, 0, S_IFREG | 0644}, 0, "", ""},
      {{0, 0, S_IFDIR | 0775}, 0, "", ""},  // group root may write
      {{1000, 1000, S_IFDIR | 0700}, 1000, "", ""},  // crilet's own user
      {{0, 0, S_IFREG | 0666}, 0, "world-writable (mode 0666)", "chmod go-w"},
      {{0, 0, S_IFDIR | 01777}, 0, "world-writable (mode 1777)", "chmod go-w"},
      {{0, 1000, S_IFREG | 0664}, 0, "group-writable (mode 0664, group 1000)", "chmod go-w"},
      {{1000, 1000, S_IFREG | 0644}, 0, "owned by uid 1000, not root", "chown root"},
      {{1000, 0, S_IFREG | 0644}, 1001, "owned by uid 1000, neither root nor crilet's uid 1001", "chown root"},
      {{1000, 1000, S_IFREG | 0666}, 0, "owned by uid 1000, not root and world-writable (mode 0666)",
       "chown root and chmod go-w"},
  };
  for (const auto& r : rows) {
    INFO("uid " << r.f.uid << " gid " << r.f.gid << " mode " << OctalMode(r.f.mode) << " euid " << r.euid);
    auto p = CheckOwnership(r.f, r.euid);
    CHECK(p.reason == r.reason);
    CHECK(p.fix == r.fix);
    CHECK(p.unsafe() == !r.reason.empty());
  }
  CHECK(RefusalMessage(CheckOwnership({0, 0, 0666}, 0)) ==
        "refusing manifest: world-writable (mode 0666); fix with chmod go-w or start with --allow-insecure-manifest-dir");
}

TEST_CASE("the manifest path at start: directory, file and symlink, with owner and mode in the message", "[safety]") {
  REQUIRE_ROOT();
  SafeDir dir;
  CHECK(ManifestPathRefusal(dir.path.string(), 0).empty());
  CHECK(ManifestPathRefusal((dir.path / "missing").string(), 0).empty());  // may appear later

  ::chmod(dir.path.c_str(), 0777);
  std::string line = ManifestPathRefusal(dir.path.string(), 0);
  CHECK(line == "refusing manifest directory " + dir.path.string() + " (owner uid 0, gid 0, mode 0777) is world-writable "
                "(mode 0777); fix with chmod go-w " + dir.path.string() + " or start with --allow-insecure-manifest-dir");
  CHECK(ManifestPathRefusal(dir.path.string(), 0, true).find("loading it anyway (--allow-insecure-manifest-dir)") !=
        std::string::npos);
  ::chmod(dir.path.c_str(), 0755);

  Write(dir.path / "pod.yaml", PodYaml("a"), 0644);
  CHECK(ManifestPathRefusal((dir.path / "pod.yaml").string(), 0).empty());
  REQUIRE(::chown((dir.path / "pod.yaml").c_str(), 1000, 1000) == 0);
  CHECK(ManifestPathRefusal((dir.path / "pod.yaml").string(), 0).find("refusing manifest file " +
                                                                       (dir.path / "pod.yaml").string() +
                                                                       " (owner uid 1000, gid 1000, mode 0644) is owned by uid 1000") == 0);
  // --config is judged the same way, under its own name.
  CHECK(ManifestPathRefusal((dir.path / "pod.yaml").string(), 0, false, "kubelet config")
            .find("refusing kubelet config file " + (dir.path / "pod.yaml").string() + " (owner uid 1000") == 0);
  // A symlink is followed: the target is judged (and named); the link itself by its owner.
  fs::create_symlink(dir.path / "pod.yaml", dir.path / "link.yaml");
  CHECK(ManifestPathRefusal((dir.path / "link.yaml").string(), 0).find("refusing manifest file " + (dir.path / "pod.yaml").string()) == 0);
  REQUIRE(::chown((dir.path / "pod.yaml").c_str(), 0, 0) == 0);
  CHECK(ManifestPathRefusal((dir.path / "link.yaml").string(), 0).empty());
  REQUIRE(::lchown((dir.path / "link.yaml").c_str(), 1000, 1000) == 0);
  CHECK(ManifestPathRefusal((dir.path / "link.yaml").string(), 0).find("refusing manifest symlink " +
                                                                       (dir.path / "link.yaml").string() + " (owner uid 1000, gid 1000) is owned by uid 1000") == 0);
}

TEST_CASE("ReadManifestFile never blocks or reads without bound", "[safety]") {
  SafeDir dir;
  std::string data, error;
  struct stat info {};
  Write(dir.path / "ok.yaml", "abc");
  CHECK(ReadManifestFile((dir.path / "ok.yaml").string(), &data, &info, &error));
  CHECK(data == "abc");
  CHECK(S_ISREG(info.st_mode));

  REQUIRE(::mkfifo((dir.path / "fifo.yaml").c_str(), 0644) == 0);
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(ReadManifestFile((dir.path / "fifo.yaml").string(), &data, &info, &error));
  CHECK(error == "not a regular file (fifo)");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));

  fs::create_symlink("/dev/zero", dir.path / "zero.yaml");
  CHECK_FALSE(ReadManifestFile((dir.path / "zero.yaml").string(), &data, &info, &error));
  CHECK(error == "not a regular file (character device)");

  Write(dir.path / "big.yaml", std::string(kMaxManifestBytes + 100, 'a'));
  CHECK_FALSE(ReadManifestFile((dir.path / "big.yaml").string(), &data, &info, &error));
  CHECK(error == "larger than 1048576 bytes, the limit for a manifest");
  Write(dir.path / "limit.yaml", std::string(kMaxManifestBytes, 'a'));
  CHECK(ReadManifestFile((dir.path / "limit.yaml").string(), &data, &info, &error));
  CHECK(data.size() == kMaxManifestBytes);
}

TEST_CASE("the directory source reports FIFOs, sockets and device symlinks as file errors", "[safety][sources]") {
  REQUIRE_ROOT();
  SafeDir dir;
  Write(dir.path / "a.yaml", PodYaml("a"));
  REQUIRE(::mkfifo((dir.path / "fifo.yaml").c_str(), 0644) == 0);
  fs::create_symlink("/dev/zero", dir.path / "zero.yaml");
  fs::create_symlink(dir.path / "fifo.yaml", dir.path / "to-fifo.yaml");
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", (dir.path / "sock.yaml").c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  fs::create_directories(dir.path / "subdir");  // not recursed into, and not an error (kubelet)
  fs::create_symlink(dir.path / "gone.yaml", dir.path / "dangling.yaml");  // no file behind it: nothing to load
  LogCapture log;
  Scanner s(dir.path);
  auto start = std::chrono::steady_clock::now();
  s.Scan(true);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK(s.Pods() == std::vector<std::string>{"a-n1"});
  CHECK(s.Errors(dir.path / "fifo.yaml") ==
        std::vector<std::string>{(dir.path / "fifo.yaml").string() + ": not a regular file (fifo)"});
  CHECK(s.Errors(dir.path / "to-fifo.yaml") ==
        std::vector<std::string>{(dir.path / "to-fifo.yaml").string() + ": not a regular file (fifo)"});
  CHECK(s.Errors(dir.path / "zero.yaml") ==
        std::vector<std::string>{(dir.path / "zero.yaml").string() + ": not a regular file (character device)"});
  CHECK(s.Errors(dir.path / "sock.yaml") ==
        std::vector<std::string>{(dir.path / "sock.yaml").string() + ": not a regular file (socket)"});
  CHECK(s.files.count((dir.path / "subdir").string()) == 0);
  CHECK(s.files.count((dir.path / "dangling.yaml").string()) == 0);
  // Reported once, not on every rescan.
  s.Scan(true);
  s.Scan(false);
  CHECK(log.Count("not a regular file (fifo)") == 2);  // fifo.yaml and to-fifo.yaml, once each
  CHECK(log.Count("not a regular file (character device)") == 1);

  SECTION("a valid file replaced by a FIFO keeps its last valid pod") {
    std::string uid = s.Uid(dir.path / "a.yaml");
    fs::remove(dir.path / "a.yaml");
    REQUIRE(::mkfifo((dir.path / "a.yaml").c_str(), 0644) == 0);
    s.Scan();
    CHECK(s.Uid(dir.path / "a.yaml") == uid);
    CHECK(s.Errors(dir.path / "a.yaml") == std::vector<std::string>{(dir.path / "a.yaml").string() + ": not a regular file (fifo)"});
  }
}

TEST_CASE("the directory source refuses unsafe files and directories, keeping the last valid version", "[safety][sources]") {
  REQUIRE_ROOT();
  SafeDir dir;
  fs::path a = dir.path / "a.yaml";
  Write(a, PodYaml("a"));
  Write(dir.path / "b.yaml", PodYaml("b"));
  LogCapture log;
  Scanner s(dir.path);
  s.Scan(true);
  REQUIRE(s.Pods() == std::vector<std::string>{"a-n1", "b-n1"});
  std::string uid = s.Uid(a);

  SECTION("a file made world-writable: its new content is not loaded, and that is said once") {
    ::chmod(a.c_str(), 0666);
    Write(a, PodYaml("a", "evil:1"), 0666);
    s.Scan();
    CHECK(s.Uid(a) == uid);  // the last valid version keeps running
    CHECK(s.Errors(a) == std::vector<std::string>{a.string() + ": refusing manifest: world-writable (mode 0666); fix with "
                                                  "chmod go-w or start with --allow-insecure-manifest-dir"});
    s.Scan(true);
    s.Scan();
    CHECK(log.Count("refusing manifest: world-writable") == 1);
    // chmod alone (no new content) is noticed: the owner and mode are part of the stat key.
    ::chmod(a.c_str(), 0644);
    s.Scan();
    CHECK(s.Errors(a).empty());
    CHECK(s.Uid(a) != uid);
    CHECK(s.files[a.string()].pods[0].spec.containers[0].image == "evil:1");
  }
  SECTION("group-writable by a non-root group, or owned by another user") {
    REQUIRE(::chown(a.c_str(), 0, 1000) == 0);
    ::chmod(a.c_str(), 0664);
    s.Scan();
    CHECK(s.Errors(a) == std::vector<std::string>{a.string() + ": refusing manifest: group-writable (mode 0664, group 1000); "
                                                  "fix with chmod go-w or start with --allow-insecure-manifest-dir"});
    REQUIRE(::chown(a.c_str(), 1000, 0) == 0);
    ::chmod(a.c_str(), 0644);
    s.Scan();
    CHECK(s.Errors(a) == std::vector<std::string>{a.string() + ": refusing manifest: owned by uid 1000, not root; fix with "
                                                  "chown root or start with --allow-insecure-manifest-dir"});
    CHECK(s.Uid(a) == uid);
    REQUIRE(::chown(a.c_str(), 0, 0) == 0);
    s.Scan();
    CHECK(s.Errors(a).empty());
  }
  SECTION("a new unsafe file never runs") {
    Write(dir.path / "c.yaml", PodYaml("c"), 0666);
    s.Scan();
    CHECK(s.Pods() == std::vector<std::string>{"a-n1", "b-n1"});
    CHECK(s.Errors(dir.path / "c.yaml").size() == 1);
  }
  SECTION("a symlink owned by another user is refused even when its target is safe") {
    SafeDir elsewhere;
    Write(elsewhere.path / "real.yaml", PodYaml("linked"));
    fs::create_symlink(elsewhere.path / "real.yaml", dir.path / "linked.yaml");
    REQUIRE(::lchown((dir.path / "linked.yaml").c_str(), 1000, 1000) == 0);
    s.Scan();
    CHECK(s.Pods() == std::vector<std::string>{"a-n1", "b-n1"});
    auto errors = s.Errors(dir.path / "linked.yaml");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("refusing manifest: symlink owned by uid 1000, not root; fix with chown -h root " +
                         (dir.path / "linked.yaml").string()) != std::string::npos);
  }
  SECTION("the directory made world-writable: every file is refused, the pods keep running") {
    ::chmod(dir.path.c_str(), 0777);
    Write(a, PodYaml("a", "evil:1"));
    s.Scan();
    CHECK(s.Pods() == std::vector<std::string>{"a-n1", "b-n1"});
    CHECK(s.Uid(a) == uid);
    CHECK(s.Errors(a) == std::vector<std::string>{a.string() + ": refusing manifest: directory " + dir.path.string() +
                                                  " is world-writable (mode 0777); fix with chmod go-w " + dir.path.string() +
                                                  " or start with --allow-insecure-manifest-dir"});
    CHECK(s.Errors(dir.path / "b.yaml").size() == 1);
    s.Scan(true);
    CHECK(log.Count("is world-writable (mode 0777)") == 2);  // a.yaml and b.yaml, once each
    ::chmod(dir.path.c_str(), 0755);
    s.Scan();  // no file changed: the directory's verdict is part of every stat key
    CHECK(s.Errors(a).empty());
    CHECK(s.Uid(a) != uid);
  }
  SECTION("without the check (--allow-insecure-manifest-dir) unsafe files load") {
    ::chmod(dir.path.c_str(), 0777);
    Write(dir.path / "c.yaml", PodYaml("c"), 0666);
    Scanner lax(dir.path, false);
    lax.Scan(true);
    CHECK(lax.Pods() == std::vector<std::string>{"a-n1", "b-n1", "c-n1"});
    ::chmod(dir.path.c_str(), 0755);
  }
  SECTION("crilet's own user may own the files") {
    REQUIRE(::chown(a.c_str(), 1000, 1000) == 0);
    REQUIRE(::chown(dir.path.c_str(), 1000, 1000) == 0);
    Scanner own(dir.path, true, 1000);
    own.Scan(true);
    CHECK(own.Errors(a).empty());
    CHECK(own.Pods() == std::vector<std::string>{"a-n1", "b-n1"});
  }
}

TEST_CASE("a single manifest file is judged like a file in a directory", "[safety][sources]") {
  REQUIRE_ROOT();
  SafeDir dir;
  fs::path a = dir.path / "a.yaml";
  Write(a, PodYaml("a"));
  Scanner s(a);
  s.Scan(true);
  REQUIRE(s.Pods() == std::vector<std::string>{"a-n1"});
  ::chmod(a.c_str(), 0646);
  s.Scan();
  CHECK(s.Pods() == std::vector<std::string>{"a-n1"});
  CHECK(s.Errors(a).size() == 1);
  fs::remove(a);
  REQUIRE(::mkfifo(a.c_str(), 0644) == 0);
  s.Scan();
  CHECK(s.Errors(a) == std::vector<std::string>{a.string() + ": not a regular file (fifo)"});
}

TEST_CASE("names are validated before they become paths", "[safety][validation]") {
  struct Row {
    std::string yaml;
    std::string field;
  };
  auto pod = [](const std::string& metadata, const std::string& container = "a", const std::string& extra = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata: " + metadata + "\nspec:\n  containers:\n  - name: \"" + container +
           "\"\n    image: b\n" + extra;
  };
  std::vector<Row> rows = {
      {pod("{name: a/b}"), "metadata.name"},
      {pod("{name: ..}"), "metadata.name"},
      {pod("{name: a..b}"), "metadata.name"},
      {pod("{name: a.-b}"), "metadata.name"},
      {pod("{name: Web}"), "metadata.name"},
      {pod("{name: web, namespace: a/b}"), "metadata.namespace"},
      {pod("{name: web, namespace: ..}"), "metadata.namespace"},
      {pod("{name: web, namespace: Prod}"), "metadata.namespace"},
      {pod("{name: web, uid: ../../etc}"), "metadata.uid"},
      {pod("{name: web, uid: a/b}"), "metadata.uid"},
      {pod("{name: web, uid: ..}"), "metadata.uid"},
      {pod("{name: web}", "../x"), "spec.containers[0].name"},
      {pod("{name: web}", "a/b"), "spec.containers[0].name"},
      {pod("{name: web}", "App"), "spec.containers[0].name"},
      {pod("{name: web}", "a", "  volumes:\n  - {name: ../v, emptyDir: {}}\n"), "spec.volumes[0].name"},
      {pod("{name: web}", "a", "  volumes:\n  - {name: V, emptyDir: {}}\n"), "spec.volumes[0].name"},
      {pod("{name: web}", "a", "    volumeMounts: [{name: v, mountPath: /d, subPath: ../x}]\n  volumes:\n  - {name: v, emptyDir: {}}\n"),
       "spec.containers[0].volumeMounts[0].subPath"},
      {pod("{name: web}", "a", "    volumeMounts: [{name: v, mountPath: /d, subPath: a/../../x}]\n  volumes:\n  - {name: v, emptyDir: {}}\n"),
       "spec.containers[0].volumeMounts[0].subPath"},
      {pod("{name: web}", "a", "    volumeMounts: [{name: v, mountPath: /d, subPath: /etc}]\n  volumes:\n  - {name: v, emptyDir: {}}\n"),
       "spec.containers[0].volumeMounts[0].subPath"},
  };
  for (const auto& r : rows) {
    INFO(r.yaml);
    LoadOptions o;
    o.node_name = "node1";
    o.source = PodSource{"file", "/m/pod.yaml", 0};
    o.display_name = "pod.yaml";
    LoadResult result = LoadManifest(r.yaml, o);
    CHECK(result.pods.empty());
    bool named = false;
    for (const auto& e : result.errors) {
      UNSCOPED_INFO("got: " << e.ToString());
      named = named || (e.file == "pod.yaml" && e.path == r.field && !e.message.empty());
    }
    CHECK(named);
  }
  // Valid names still load; a UUID is a valid UID.
  LoadOptions o;
  o.node_name = "node1";
  o.source = PodSource{"file", "/m/pod.yaml", 0};
  auto ok = LoadManifest(pod("{name: web.v1, namespace: kube-system, uid: 5f3c8a2e-0d1b-4c8e-9a57-2b6f0e4d1c3a}"), o);
  CHECK(ok.errors.empty());
  REQUIRE(ok.pods.size() == 1);
  CHECK(ok.pods[0].metadata.uid == "5f3c8a2e-0d1b-4c8e-9a57-2b6f0e4d1c3a");
}

TEST_CASE("sensitive hostPaths: /, /etc, containerd, the runtime socket, --root-dir and what contains them", "[safety][hostpath]") {
  SensitivePaths s{"/var/lib/crilet", "/run/containerd/containerd.sock"};
  struct Row {
    std::string path;
    std::string reason;  // "" = not sensitive
  };
  std::vector<Row> rows = {
      {"/", "the host's root filesystem"},
      {"//", "the host's root filesystem"},
      {"/etc", "host configuration (/etc)"},
      {"/etc/", "host configuration (/etc)"},
      {"/etc/kubernetes/pki", "host configuration (/etc)"},
      {"/tmp/../etc", "host configuration (/etc)"},
      {"/../etc/./ssl", "host configuration (/etc)"},
      {"/etcetera", ""},
      {"/run/containerd", "containerd's state and socket (/run/containerd)"},
      {"/var/run/containerd/io.containerd.runtime.v2.task", "containerd's state and socket (/var/run/containerd)"},
      {"/run/containerd/containerd.sock", "containerd's state and socket (/run/containerd)"},
      {"/run", "contains containerd's state and socket (/run/containerd)"},
      {"/var", "contains containerd's state and socket (/var/run/containerd)"},
      {"/var/lib/crilet", "crilet's --root-dir (/var/lib/crilet)"},
      {"/var/lib/crilet/pods/x", "crilet's --root-dir (/var/lib/crilet)"},
      {"/var/lib", "contains crilet's --root-dir (/var/lib/crilet)"},
      {"/var/lib/crilet-other", ""},
      {"/var/log", ""},
      {"/data", ""},
      {"/tmp/cache/", ""},
  };
  for (const auto& r : rows) {
    INFO(r.path);
    CHECK(SensitiveHostPathReason(r.path, s) == r.reason);
  }
  // A runtime socket elsewhere: the socket and its directory (and below).
  SensitivePaths lab{"/srv/crilet/", "/tmp/lab/run/containerd.sock"};
  CHECK(SensitiveHostPathReason("/tmp/lab/run/containerd.sock", lab) == "the container runtime socket (/tmp/lab/run/containerd.sock)");
  CHECK(SensitiveHostPathReason("/tmp/lab/run/other", lab) == "the container runtime socket's directory (/tmp/lab/run)");
  CHECK(SensitiveHostPathReason("/tmp/lab/run/", lab) == "the container runtime socket's directory (/tmp/lab/run)");
  CHECK(SensitiveHostPathReason("/tmp/lab", lab) == "contains the container runtime socket (/tmp/lab/run/containerd.sock)");
  CHECK(SensitiveHostPathReason("/tmp/lab-other", lab) == "");
  CHECK(SensitiveHostPathReason("/srv/crilet", lab) == "crilet's --root-dir (/srv/crilet)");
  CHECK(SensitiveHostPathReason("/srv", lab) == "contains crilet's --root-dir (/srv/crilet)");
  CHECK(NormalizeHostPath("/a//b/./c/../d/") == "/a/b/d");
  CHECK(NormalizeHostPath("/../..") == "/");
  CHECK(RuntimeSocketPath("unix:///run/containerd/containerd.sock") == "/run/containerd/containerd.sock");
  CHECK(RuntimeSocketPath("tcp://127.0.0.1:1234") == "");

  Pod pod;
  pod.spec.volumes.push_back(Volume{"etc", std::nullopt, HostPathVolumeSource{"/etc/", ""}, std::nullopt, std::nullopt});
  pod.spec.volumes.push_back(Volume{"data", std::nullopt, HostPathVolumeSource{"/data", ""}, std::nullopt, std::nullopt});
  pod.spec.volumes.push_back(Volume{"scratch", EmptyDirVolumeSource{}, std::nullopt, std::nullopt, std::nullopt});
  pod.spec.volumes.push_back(Volume{"linked", std::nullopt, HostPathVolumeSource{"/srv/host-etc", ""}, std::nullopt, std::nullopt});
  auto found = SensitiveVolumes(pod, s);
  REQUIRE(found.size() == 1);
  CHECK(found[0].volume == "etc");
  CHECK(found[0].path == "/etc/");
  CHECK(found[0].reason == "host configuration (/etc)");
  // With symlinks resolved, a link to /etc is caught too.
  found = SensitiveVolumes(pod, s, [](const std::string& p) { return p == "/srv/host-etc" ? std::string("/etc") : p; });
  REQUIRE(found.size() == 2);
  CHECK(found[1].volume == "linked");
  CHECK(found[1].reason == "host configuration (/etc) (through symlinks: /etc)");
}
