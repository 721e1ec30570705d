// FakeRuntime: maps of sandboxes, containers and images behaving like containerd's CRI for unit tests.
#include "cri/fake_runtime.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace crilet::cri {

FakeRuntime::FakeRuntime(const Clock* clock) : clock_(clock) {
  for (const char* type : {"RuntimeReady", "NetworkReady"}) {
    RuntimeCondition c;
    c.type = type;
    c.status = true;
    runtime_status_.conditions.push_back(c);
  }
}

FakeRuntime::~FakeRuntime() {
  for (std::thread& t : exec_threads_) t.join();
}

void FakeRuntime::InjectError(const std::string& call, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  injected_.emplace(call, std::move(status));
}

void FakeRuntime::SetDown(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

void FakeRuntime::AddImage(const std::string& image) {
  std::lock_guard<std::mutex> lock(mu_);
  images_.insert(image);
}

void FakeRuntime::SetImageSize(const std::string& image, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  image_sizes_[image] = size;
}

void FakeRuntime::SetImagePinned(const std::string& image, bool pinned) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pinned) {
    pinned_images_.insert(image);
  } else {
    pinned_images_.erase(image);
  }
}

Image FakeRuntime::ImageLocked(const std::string& name) const {
  Image out;
  out.id = "sha256:" + name;
  out.repo_tags = {name};
  auto size = image_sizes_.find(name);
  out.size = size == image_sizes_.end() ? 1000 : size->second;
  out.pinned = pinned_images_.count(name) > 0;
  return out;
}

void FakeRuntime::SetImageUser(const std::string& image, std::optional<int64_t> uid, const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  image_users_[image] = {uid, username};
}

void FakeRuntime::SetPullable(const std::string& image, bool pullable) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pullable) {
    pullable_.insert(image);
  } else {
    pullable_.erase(image);
  }
}

void FakeRuntime::ExitContainer(const std::string& id, int32_t exit_code, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  auto& st = it->second.status;
  st.state = ContainerState::kExited;
  st.exit_code = exit_code;
  st.finished_at = ToUnixNanos(clock_->Now());
  st.reason = !reason.empty() ? reason : (exit_code == 0 ? "Completed" : "Error");
}

void FakeRuntime::KillSandbox(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sandboxes_.find(id);
  if (it != sandboxes_.end()) it->second.status.state = SandboxState::kNotReady;
}

std::vector<std::string> FakeRuntime::Calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

void FakeRuntime::ClearCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

size_t FakeRuntime::CountCalls(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::count_if(calls_.begin(), calls_.end(), [&](const std::string& c) { return c.rfind(prefix, 0) == 0; });
}

std::vector<Sandbox> FakeRuntime::Sandboxes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Sandbox> out;
  for (const auto& [id, s] : sandboxes_) {
    out.push_back(Sandbox{id, s.status.metadata, s.status.state, s.status.created_at, s.status.labels, s.status.annotations});
  }
  return out;
}

std::vector<cri::ContainerStatus> FakeRuntime::Containers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<cri::ContainerStatus> out;
  for (const auto& [id, c] : containers_) out.push_back(c.status);
  return out;
}

std::string FakeRuntime::ContainerIdByName(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string best;
  int64_t best_created = -1;
  for (const auto& [id, c] : containers_) {
    if (c.status.name == name && c.status.created_at >= best_created) {
      best = id;
      best_created = c.status.created_at;
    }
  }
  return best;
}

const ContainerConfig* FakeRuntime::LastConfig(const std::string& container_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_config_.find(container_name);
  return it == last_config_.end() ? nullptr : &it->second;
}

const SandboxConfig* FakeRuntime::LastSandboxConfig() const {
  std::lock_guard<std::mutex> lock(mu_);
  return have_sandbox_config_ ? &last_sandbox_config_ : nullptr;
}

Status FakeRuntime::Enter(const std::string& call, const std::string& arg) {
  calls_.push_back(arg.empty() ? call : call + " " + arg);
  if (down_) return Status::Unavailable(call + ": connection refused (fake runtime is down)");
  auto it = injected_.find(call);
  if (it != injected_.end()) {
    Status s = it->second;
    injected_.erase(it);
    return s;
  }
  return Status::Ok();
}

bool FakeRuntime::Matches(const Labels& have, const Labels& selector) {
  for (const auto& [k, v] : selector) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

Status FakeRuntime::Version(VersionInfo* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("Version", ""); !s.ok()) return s;
  if (out) *out = VersionInfo{"0.1.0", "fake", "0.0.1", "v1"};
  return Status::Ok();
}

Status FakeRuntime::RunPodSandbox(const SandboxConfig& config, std::string* sandbox_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("RunPodSandbox", config.metadata.name); !s.ok()) return s;
  char id[32];
  std::snprintf(id, sizeof id, "sandbox-%04d", next_id_++);
  FakeSandbox sb;
  sb.config = config;
  sb.status.id = id;
  sb.status.metadata = config.metadata;
  sb.status.state = SandboxState::kReady;
  sb.status.created_at = ToUnixNanos(clock_->Now()) + next_id_;
  sb.status.ip = config.namespaces.network == NamespaceMode::kNode ? "" : next_ip_;
  sb.status.namespaces = config.namespaces;
  sb.status.labels = config.labels;
  sb.status.annotations = config.annotations;
  sandboxes_[id] = sb;
  last_sandbox_config_ = config;
  have_sandbox_config_ = true;
  *sandbox_id = id;
  return Status::Ok();
}

Status FakeRuntime::StopPodSandbox(const std::string& sandbox_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("StopPodSandbox", sandbox_id); !s.ok()) return s;
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) return Status::NotFound("StopPodSandbox " + sandbox_id + ": not found");
  it->second.status.state = SandboxState::kNotReady;
  // Like containerd: stopping a sandbox kills its containers.
  for (auto& [id, c] : containers_) {
    if (c.sandbox_id == sandbox_id && c.status.state == ContainerState::kRunning) {
      c.status.state = ContainerState::kExited;
      c.status.exit_code = 137;
      c.status.reason = "Error";
      c.status.finished_at = ToUnixNanos(clock_->Now());
    }
  }
  return Status::Ok();
}

Status FakeRuntime::RemovePodSandbox(const std::string& sandbox_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("RemovePodSandbox", sandbox_id); !s.ok()) return s;
  // containerd's RemovePodSandbox is idempotent and removes the sandbox's containers.
  sandboxes_.erase(sandbox_id);
  for (auto it = containers_.begin(); it != containers_.end();) {
    it = it->second.sandbox_id == sandbox_id ? containers_.erase(it) : std::next(it);
  }
  return Status::Ok();
}

Status FakeRuntime::PodSandboxStatus(const std::string& sandbox_id, SandboxStatus* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("PodSandboxStatus", sandbox_id); !s.ok()) return s;
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) return Status::NotFound("PodSandboxStatus " + sandbox_id + ": not found");
  *out = it->second.status;
  return Status::Ok();
}

Status FakeRuntime::ListPodSandbox(const SandboxFilter& filter, std::vector<Sandbox>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ListPodSandbox", ""); !s.ok()) return s;
  out->clear();
  for (const auto& [id, sb] : sandboxes_) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (filter.state && *filter.state != sb.status.state) continue;
    if (!Matches(sb.status.labels, filter.label_selector)) continue;
    out->push_back(Sandbox{id, sb.status.metadata, sb.status.state, sb.status.created_at, sb.status.labels,
                           sb.status.annotations});
  }
  return Status::Ok();
}

Status FakeRuntime::CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                    const SandboxConfig& /*sandbox_config*/, std::string* container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("CreateContainer", config.name); !s.ok()) return s;
  auto sb = sandboxes_.find(sandbox_id);
  if (sb == sandboxes_.end()) return Status::NotFound("CreateContainer " + config.name + ": sandbox " + sandbox_id + " not found");
  // Like containerd, accept an image by name or by ID (fake IDs are "sha256:<name>").
  std::string image_name = config.image.rfind("sha256:", 0) == 0 ? config.image.substr(7) : config.image;
  if (images_.count(image_name) == 0) {
    return Status::NotFound("CreateContainer " + config.name + ": image \"" + config.image + "\" not found");
  }
  char id[32];
  std::snprintf(id, sizeof id, "container-%04d", next_id_++);
  FakeContainer c;
  c.config = config;
  c.sandbox_id = sandbox_id;
  c.status.id = id;
  c.status.name = config.name;
  c.status.attempt = config.attempt;
  c.status.state = ContainerState::kCreated;
  // Distinct creation times, as containerd's nanosecond stamps are, so "newest first" is well defined.
  c.status.created_at = ToUnixNanos(clock_->Now()) + next_id_;
  c.status.image = config.user_specified_image.empty() ? image_name : config.user_specified_image;
  c.status.image_ref = "sha256:" + image_name;
  c.status.labels = config.labels;
  c.status.annotations = config.annotations;
  c.status.mounts = config.mounts;
  c.status.log_path = sb->second.config.log_directory + "/" + config.log_path;
  containers_[id] = c;
  last_config_[config.name] = config;
  *container_id = id;
  return Status::Ok();
}

Status FakeRuntime::StartContainer(const std::string& container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(container_id);
  if (Status s = Enter("StartContainer", it == containers_.end() ? container_id : it->second.status.name); !s.ok()) {
    return s;
  }
  if (it == containers_.end()) return Status::NotFound("StartContainer " + container_id + ": not found");
  if (it->second.status.state != ContainerState::kCreated) {
    return Status::FailedPrecondition("StartContainer " + container_id + ": container is not in created state");
  }
  it->second.status.state = ContainerState::kRunning;
  it->second.status.started_at = ToUnixNanos(clock_->Now());
  it->second.status.pid = 1000 + next_id_++;
  return Status::Ok();
}

Status FakeRuntime::StopContainer(const std::string& container_id, int64_t /*timeout_seconds*/) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(container_id);
  if (Status s = Enter("StopContainer", it == containers_.end() ? container_id : it->second.status.name); !s.ok()) {
    return s;
  }
  if (it == containers_.end()) return Status::NotFound("StopContainer " + container_id + ": not found");
  auto& st = it->second.status;
  if (st.state == ContainerState::kRunning) {
    st.state = ContainerState::kExited;
    st.exit_code = 143;  // SIGTERM honoured
    st.reason = "Error";
    st.finished_at = ToUnixNanos(clock_->Now());
  } else if (st.state == ContainerState::kCreated) {
    st.state = ContainerState::kExited;
  }
  return Status::Ok();
}

Status FakeRuntime::RemoveContainer(const std::string& container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(container_id);
  if (Status s = Enter("RemoveContainer", it == containers_.end() ? container_id : it->second.status.name); !s.ok()) {
    return s;
  }
  if (it != containers_.end()) containers_.erase(it);
  return Status::Ok();
}

Status FakeRuntime::ListContainers(const ContainerFilter& filter, std::vector<Container>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ListContainers", ""); !s.ok()) return s;
  out->clear();
  for (const auto& [id, c] : containers_) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (filter.state && *filter.state != c.status.state) continue;
    if (!filter.sandbox_id.empty() && filter.sandbox_id != c.sandbox_id) continue;
    if (!Matches(c.status.labels, filter.label_selector)) continue;
    out->push_back(Container{id, c.sandbox_id, c.status.name, c.status.attempt, c.status.image, c.status.image_ref,
                             c.status.state, c.status.created_at, c.status.labels, c.status.annotations});
  }
  return Status::Ok();
}

void FakeRuntime::SetRuntimeStatus(const RuntimeStatusInfo& status) {
  std::lock_guard<std::mutex> lock(mu_);
  runtime_status_ = status;
}

void FakeRuntime::SetContainerStats(const std::string& id, const ContainerStats& stats) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_[id] = stats;
}

Status FakeRuntime::RuntimeStatus(bool verbose, RuntimeStatusInfo* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("Status", ""); !s.ok()) return s;
  *out = runtime_status_;
  if (!verbose) out->info.clear();
  return Status::Ok();
}

ContainerStats FakeRuntime::StatsLocked(const std::string& id) const {
  const FakeContainer& c = containers_.at(id);
  auto it = stats_.find(id);
  ContainerStats st = it == stats_.end() ? ContainerStats{} : it->second;
  st.id = id;
  st.name = c.status.name;
  st.attempt = c.status.attempt;
  st.labels = c.status.labels;
  st.annotations = c.status.annotations;
  return st;
}

Status FakeRuntime::ListContainerStats(const ContainerStatsFilter& filter, std::vector<ContainerStats>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ListContainerStats", ""); !s.ok()) return s;
  out->clear();
  for (const auto& [id, c] : containers_) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (!filter.sandbox_id.empty() && filter.sandbox_id != c.sandbox_id) continue;
    if (!Matches(c.status.labels, filter.label_selector)) continue;
    out->push_back(StatsLocked(id));
  }
  return Status::Ok();
}

void FakeRuntime::SetPodSandboxStats(const std::string& sandbox_id, const PodSandboxStats& stats) {
  std::lock_guard<std::mutex> lock(mu_);
  sandbox_stats_supported_ = true;
  sandbox_stats_[sandbox_id] = stats;
}

Status FakeRuntime::ListPodSandboxStats(const PodSandboxStatsFilter& filter, std::vector<PodSandboxStats>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ListPodSandboxStats", ""); !s.ok()) return s;
  if (!sandbox_stats_supported_) return Status(Code::kUnimplemented, "ListPodSandboxStats: unknown method ListPodSandboxStats");
  out->clear();
  for (const auto& [id, sb] : sandboxes_) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (!Matches(sb.status.labels, filter.label_selector)) continue;
    auto it = sandbox_stats_.find(id);
    PodSandboxStats st = it == sandbox_stats_.end() ? PodSandboxStats{} : it->second;
    st.id = id;
    st.metadata = sb.config.metadata;
    st.labels = sb.status.labels;
    st.annotations = sb.status.annotations;
    st.containers.clear();
    for (const auto& [cid, c] : containers_) {
      if (c.sandbox_id == id) st.containers.push_back(StatsLocked(cid));
    }
    out->push_back(std::move(st));
  }
  return Status::Ok();
}

Status FakeRuntime::ContainerStatus(const std::string& container_id, bool /*verbose*/, cri::ContainerStatus* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ContainerStatus", container_id); !s.ok()) return s;
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return Status::NotFound("ContainerStatus " + container_id + ": not found");
  *out = it->second.status;
  return Status::Ok();
}

Status FakeRuntime::ReopenContainerLog(const std::string& container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ReopenContainerLog", container_id); !s.ok()) return s;
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return Status::NotFound("ReopenContainerLog " + container_id + ": not found");
  if (it->second.status.state != ContainerState::kRunning) {
    return Status::FailedPrecondition("ReopenContainerLog " + container_id + ": container is not running");
  }
  return Status::Ok();
}

Status FakeRuntime::ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                             std::chrono::seconds /*timeout*/, ExecResult* out) {
  std::function<ExecResult(const std::string&, const std::vector<std::string>&)> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (Status s = Enter("ExecSync", container_id); !s.ok()) return s;
    auto it = containers_.find(container_id);
    if (it == containers_.end() || it->second.status.state != ContainerState::kRunning) {
      return Status(Code::kUnknown, "ExecSync " + container_id + ": container is not running");
    }
    handler = exec_handler;
  }
  // Run the handler unlocked: tests may block in it to simulate a slow command.
  *out = handler ? handler(container_id, cmd) : ExecResult{};
  return Status::Ok();
}

namespace {

// The handler runs on a thread of its own (owned by the fake, which joins it when destroyed); an eventfd
// turns readable when it returned. The thread shares the state, so dropping the call (a cancelled probe)
// does not wait for a handler that a test holds.
class FakeExecCall : public ExecCall {
 public:
  struct State {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ExecResult result;
    ~State() { close(fd); }
  };
  FakeExecCall(std::shared_ptr<State> state, std::chrono::steady_clock::time_point deadline)
      : state_(std::move(state)), deadline_(deadline) {}
  int fd() const override { return state_->fd; }
  short events() const override { return POLLIN; }
  std::chrono::steady_clock::time_point deadline() const override { return deadline_; }
  std::optional<Status> Step(ExecResult* out) override {
    uint64_t n = 0;
    if (read(state_->fd, &n, sizeof n) != sizeof n) return std::nullopt;
    *out = state_->result;  // written before the eventfd, which orders it
    return Status::Ok();
  }
  Status Expire() override { return Status::DeadlineExceeded("Deadline Exceeded"); }

 private:
  std::shared_ptr<State> state_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

std::unique_ptr<ExecCall> FakeRuntime::StartExecSync(const std::string& container_id,
                                                     const std::vector<std::string>& cmd,
                                                     std::chrono::seconds timeout, Status* error) {
  std::function<ExecResult(const std::string&, const std::vector<std::string>&)> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (Status s = Enter("ExecSync", container_id); !s.ok()) {
      *error = s;
      return nullptr;
    }
    auto it = containers_.find(container_id);
    if (it == containers_.end() || it->second.status.state != ContainerState::kRunning) {
      *error = Status(Code::kUnknown, "ExecSync " + container_id + ": container is not running");
      return nullptr;
    }
    handler = exec_handler;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(10);
  auto state = std::make_shared<FakeExecCall::State>();
  {
    std::lock_guard<std::mutex> lock(threads_mu_);
    exec_threads_.emplace_back([state, handler, container_id, cmd] {
      state->result = handler ? handler(container_id, cmd) : ExecResult{};
      uint64_t one = 1;
      (void)!write(state->fd, &one, sizeof one);
    });
  }
  return std::make_unique<FakeExecCall>(std::move(state), deadline);
}

// The streaming calls answer with a URL naming the request, so tests see what was asked; nothing serves it.
Status FakeRuntime::Exec(const StreamExec& request, std::string* url) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("Exec", request.container_id); !s.ok()) return s;
  if (!containers_.count(request.container_id)) return Status::NotFound("Exec " + request.container_id + ": no such container");
  *url = "http://127.0.0.1:1/exec/" + request.container_id;
  return Status::Ok();
}

Status FakeRuntime::Attach(const StreamAttach& request, std::string* url) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("Attach", request.container_id); !s.ok()) return s;
  if (!containers_.count(request.container_id)) return Status::NotFound("Attach " + request.container_id + ": no such container");
  *url = "http://127.0.0.1:1/attach/" + request.container_id;
  return Status::Ok();
}

Status FakeRuntime::PortForward(const std::string& sandbox_id, const std::vector<int32_t>& /*ports*/, std::string* url) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("PortForward", sandbox_id); !s.ok()) return s;
  *url = "http://127.0.0.1:1/portforward/" + sandbox_id;
  return Status::Ok();
}

Status FakeRuntime::ListImages(std::vector<Image>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ListImages", ""); !s.ok()) return s;
  out->clear();
  for (const auto& i : images_) out->push_back(ImageLocked(i));
  return Status::Ok();
}

Status FakeRuntime::ImageStatus(const std::string& image, std::optional<Image>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ImageStatus", image); !s.ok()) return s;
  if (images_.count(image)) {
    *out = ImageLocked(image);
    if (auto u = image_users_.find(image); u != image_users_.end()) {
      (*out)->uid = u->second.first;
      (*out)->username = u->second.second;
    }
  } else {
    out->reset();
  }
  return Status::Ok();
}

void FakeRuntime::RequirePullAuth(const std::string& image, const AuthConfig& accepted) {
  std::lock_guard<std::mutex> lock(mu_);
  pull_auth_[image] = accepted;
}

std::vector<FakeRuntime::PullRecord> FakeRuntime::Pulls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pulls_;
}

Status FakeRuntime::PullImage(const std::string& image, const AuthConfig* auth, const SandboxConfig* /*sandbox_config*/,
                              std::string* image_ref) {
  std::lock_guard<std::mutex> lock(mu_);
  pulls_.push_back({image, auth ? std::optional<AuthConfig>(*auth) : std::nullopt});
  if (Status s = Enter("PullImage", image); !s.ok()) return s;
  if (auto it = pull_auth_.find(image); it != pull_auth_.end()) {
    const AuthConfig& want = it->second;
    bool accepted = auth && ((!want.username.empty() && auth->username == want.username && auth->password == want.password) ||
                             (!want.identity_token.empty() && auth->identity_token == want.identity_token));
    if (!accepted) {
      // containerd's words for a registry's 401 (the registry's own message at the end).
      return Status(Code::kUnknown, "failed to pull and unpack image \"" + image +
                                                "\": failed to resolve reference \"" + image +
                                                "\": pulling from host registry failed with status code: 401 Unauthorized");
    }
  }
  if (pullable_.count(image) == 0 && images_.count(image) == 0) {
    return Status::NotFound("PullImage " + image + ": failed to resolve reference \"" + image + "\": not found");
  }
  images_.insert(image);
  if (image_ref) *image_ref = "sha256:" + image;
  return Status::Ok();
}

Status FakeRuntime::RemoveImage(const std::string& image) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("RemoveImage", image); !s.ok()) return s;
  images_.erase(image.rfind("sha256:", 0) == 0 ? image.substr(7) : image);
  return Status::Ok();
}

Status FakeRuntime::ImageFsInfo(std::vector<FilesystemUsage>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = Enter("ImageFsInfo", ""); !s.ok()) return s;
  out->clear();
  if (!image_fs_.empty()) {
    FilesystemUsage u;
    u.mountpoint = image_fs_;
    out->push_back(u);
  }
  return Status::Ok();
}

}  // namespace crilet::cri
