// GrpcRuntime: each CRI call is a blocking unary RPC with its own deadline; errors carry call and object.
#include "cri/grpc_runtime.h"

#include <grpcpp/grpcpp.h>

#include <cerrno>

#include "common/privilege.h"
#include "cri/convert.h"
#include "cri/h2_channel.h"
#include "proto/api.grpc.pb.h"

namespace crilet::cri {
namespace v1 = runtime::v1;

struct GrpcRuntime::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RuntimeService::Stub> runtime;
  std::unique_ptr<v1::ImageService::Stub> image;
  // The calls made every second or more (ExecSync of probes, the relist's two List calls) go over this
  // leaner channel (h2_channel.h says why).
  std::unique_ptr<H2Channel> lean;
};

std::string EndpointToTarget(const std::string& endpoint, std::string* error) {
  if (endpoint.rfind("unix://", 0) == 0) {
    std::string path = endpoint.substr(7);
    if (path.empty() || path[0] != '/') {
      *error = "endpoint \"" + endpoint + "\": expected unix:///absolute/path";
      return "";
    }
    return "unix:" + path;
  }
  if (!endpoint.empty() && endpoint[0] == '/') return "unix:" + endpoint;
  *error = "endpoint \"" + endpoint + "\": only unix sockets are supported (unix:///path/to/socket)";
  return "";
}

namespace {

Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  // gRPC and crilet share code numbers (common/status.h).
  std::string advice;
  // gRPC reports a refused connect(2) only in its message ("...: Permission denied").
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE && s.error_message().find("Permission denied") != std::string::npos) {
    advice = RootAdvice(EACCES, "the runtime socket");
  }
  return Status(static_cast<Code>(s.error_code()), what + ": " + s.error_message() + advice);
}

std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (timeout.count() > 0) ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

std::string Short(const std::string& id) { return id.size() > 13 ? id.substr(0, 13) : id; }

// A lean channel call's outcome: its Status, else the answer parsed into `resp`; errors named by `what`.
Status ParseAnswer(const Status& s, const std::string& answer, google::protobuf::MessageLite* resp,
                   const std::string& what) {
  if (!s.ok()) return s.Wrap(what);
  if (!resp->ParseFromString(answer)) return Status::Internal(what + ": cannot parse the answer");
  return s;
}

// A unary call over the lean channel; the answer is parsed into `resp` (which may live on an arena, so that a
// large list costs no malloc/free per field).
Status LeanCall(H2Channel* channel, const char* method, const google::protobuf::MessageLite& req,
                std::chrono::milliseconds timeout, google::protobuf::MessageLite* resp, const std::string& what) {
  std::string answer;
  return ParseAnswer(channel->Call(method, req.SerializeAsString(), timeout, &answer), answer, resp, what);
}

}  // namespace

GrpcRuntime::GrpcRuntime(GrpcRuntimeOptions options) : options_(std::move(options)) {
  std::string target = EndpointToTarget(options_.endpoint, &target_error_);
  if (target.empty()) return;
  stubs_ = std::make_unique<Stubs>();
  grpc::ChannelArguments args;
  // containerd sends large ListContainers answers on busy nodes; kubelet allows 16 MiB.
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  // Reconnect quickly after containerd restarts instead of gRPC's default backoff of up to 2 minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  // gRPC takes this one as the minimum time a connection attempt may take (its MIN_CONNECT_TIMEOUT, SETTINGS
  // frame included), not as a backoff: at 200 ms a containerd busy on a loaded node failed calls with
  // "connection attempt timed out before receiving SETTINGS frame". A refused or missing socket still fails
  // at once, so reconnecting stays as quick as the backoff above.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  stubs_->channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  stubs_->runtime = v1::RuntimeService::NewStub(stubs_->channel);
  stubs_->image = v1::ImageService::NewStub(stubs_->channel);
  stubs_->lean = std::make_unique<H2Channel>(target.substr(5));  // target is "unix:/path"
}

GrpcRuntime::~GrpcRuntime() = default;

#define CRILET_CHECK_ENDPOINT() \
  if (!stubs_) return Status::InvalidArgument(target_error_)

Status GrpcRuntime::Version(VersionInfo* out) {
  CRILET_CHECK_ENDPOINT();
  v1::VersionRequest req;
  req.set_version("v1");
  v1::VersionResponse resp;
  auto ctx = Context(options_.version_timeout);
  Status s = FromGrpc(stubs_->runtime->Version(ctx.get(), req, &resp), "Version");
  if (s.ok() && out) *out = VersionInfo{resp.version(), resp.runtime_name(), resp.runtime_version(), resp.runtime_api_version()};
  return s;
}

Status GrpcRuntime::RunPodSandbox(const SandboxConfig& config, std::string* sandbox_id) {
  CRILET_CHECK_ENDPOINT();
  v1::RunPodSandboxRequest req;
  ToProto(config, req.mutable_config());
  v1::RunPodSandboxResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->RunPodSandbox(ctx.get(), req, &resp),
                      "RunPodSandbox " + config.metadata.namespace_ + "/" + config.metadata.name);
  if (s.ok()) *sandbox_id = resp.pod_sandbox_id();
  return s;
}

Status GrpcRuntime::StopPodSandbox(const std::string& sandbox_id) {
  CRILET_CHECK_ENDPOINT();
  v1::StopPodSandboxRequest req;
  req.set_pod_sandbox_id(sandbox_id);
  v1::StopPodSandboxResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->runtime->StopPodSandbox(ctx.get(), req, &resp), "StopPodSandbox " + Short(sandbox_id));
}

Status GrpcRuntime::RemovePodSandbox(const std::string& sandbox_id) {
  CRILET_CHECK_ENDPOINT();
  v1::RemovePodSandboxRequest req;
  req.set_pod_sandbox_id(sandbox_id);
  v1::RemovePodSandboxResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->runtime->RemovePodSandbox(ctx.get(), req, &resp), "RemovePodSandbox " + Short(sandbox_id));
}

Status GrpcRuntime::PodSandboxStatus(const std::string& sandbox_id, SandboxStatus* out) {
  CRILET_CHECK_ENDPOINT();
  v1::PodSandboxStatusRequest req;
  req.set_pod_sandbox_id(sandbox_id);
  v1::PodSandboxStatusResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->PodSandboxStatus(ctx.get(), req, &resp), "PodSandboxStatus " + Short(sandbox_id));
  if (s.ok()) *out = FromProto(resp.status());
  return s;
}

Status GrpcRuntime::ListPodSandbox(const SandboxFilter& filter, std::vector<Sandbox>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ListPodSandboxRequest req;
  ToProto(filter, req.mutable_filter());
  google::protobuf::Arena arena;
  auto* resp = google::protobuf::Arena::CreateMessage<v1::ListPodSandboxResponse>(&arena);
  Status s = LeanCall(stubs_->lean.get(), "/runtime.v1.RuntimeService/ListPodSandbox", req, options_.request_timeout,
                      resp, "ListPodSandbox");
  if (s.ok()) {
    out->clear();
    out->reserve(resp->items_size());
    for (const auto& item : resp->items()) out->push_back(FromProto(item));
  }
  return s;
}

Status GrpcRuntime::CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                    const SandboxConfig& sandbox_config, std::string* container_id) {
  CRILET_CHECK_ENDPOINT();
  v1::CreateContainerRequest req;
  req.set_pod_sandbox_id(sandbox_id);
  ToProto(config, req.mutable_config());
  ToProto(sandbox_config, req.mutable_sandbox_config());
  v1::CreateContainerResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->CreateContainer(ctx.get(), req, &resp), "CreateContainer " + config.name);
  if (s.ok()) *container_id = resp.container_id();
  return s;
}

Status GrpcRuntime::StartContainer(const std::string& container_id) {
  CRILET_CHECK_ENDPOINT();
  v1::StartContainerRequest req;
  req.set_container_id(container_id);
  v1::StartContainerResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->runtime->StartContainer(ctx.get(), req, &resp), "StartContainer " + Short(container_id));
}

Status GrpcRuntime::StopContainer(const std::string& container_id, int64_t timeout_seconds) {
  CRILET_CHECK_ENDPOINT();
  v1::StopContainerRequest req;
  req.set_container_id(container_id);
  req.set_timeout(timeout_seconds);
  v1::StopContainerResponse resp;
  // The runtime may legitimately take the whole grace period before it kills.
  auto ctx = Context(options_.request_timeout + std::chrono::seconds(timeout_seconds));
  return FromGrpc(stubs_->runtime->StopContainer(ctx.get(), req, &resp), "StopContainer " + Short(container_id));
}

Status GrpcRuntime::RemoveContainer(const std::string& container_id) {
  CRILET_CHECK_ENDPOINT();
  v1::RemoveContainerRequest req;
  req.set_container_id(container_id);
  v1::RemoveContainerResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->runtime->RemoveContainer(ctx.get(), req, &resp), "RemoveContainer " + Short(container_id));
}

Status GrpcRuntime::ListContainers(const ContainerFilter& filter, std::vector<Container>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ListContainersRequest req;
  ToProto(filter, req.mutable_filter());
  google::protobuf::Arena arena;
  auto* resp = google::protobuf::Arena::CreateMessage<v1::ListContainersResponse>(&arena);
  Status s = LeanCall(stubs_->lean.get(), "/runtime.v1.RuntimeService/ListContainers", req, options_.request_timeout,
                      resp, "ListContainers");
  if (s.ok()) {
    out->clear();
    out->reserve(resp->containers_size());
    for (const auto& c : resp->containers()) out->push_back(FromProto(c));
  }
  return s;
}

Status GrpcRuntime::RuntimeStatus(bool verbose, RuntimeStatusInfo* out) {
  CRILET_CHECK_ENDPOINT();
  v1::StatusRequest req;
  req.set_verbose(verbose);
  v1::StatusResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->Status(ctx.get(), req, &resp), "Status");
  if (s.ok()) *out = FromProto(resp);
  return s;
}

Status GrpcRuntime::ListContainerStats(const ContainerStatsFilter& filter, std::vector<ContainerStats>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ListContainerStatsRequest req;
  ToProto(filter, req.mutable_filter());
  v1::ListContainerStatsResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->ListContainerStats(ctx.get(), req, &resp), "ListContainerStats");
  if (s.ok()) {
    out->clear();
    for (const auto& st : resp.stats()) out->push_back(FromProto(st));
  }
  return s;
}

Status GrpcRuntime::ListPodSandboxStats(const PodSandboxStatsFilter& filter, std::vector<PodSandboxStats>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ListPodSandboxStatsRequest req;
  ToProto(filter, req.mutable_filter());
  v1::ListPodSandboxStatsResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->ListPodSandboxStats(ctx.get(), req, &resp), "ListPodSandboxStats");
  if (s.ok()) {
    out->clear();
    for (const auto& st : resp.stats()) out->push_back(FromProto(st));
  }
  return s;
}

Status GrpcRuntime::ContainerStatus(const std::string& container_id, bool verbose, cri::ContainerStatus* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ContainerStatusRequest req;
  req.set_container_id(container_id);
  req.set_verbose(verbose);
  v1::ContainerStatusResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->ContainerStatus(ctx.get(), req, &resp), "ContainerStatus " + Short(container_id));
  if (s.ok()) {
    *out = FromProto(resp.status());
    if (verbose) {
      auto it = resp.info().find("info");
      if (it != resp.info().end()) out->pid = PidFromVerboseInfo(it->second);
    }
  }
  return s;
}

Status GrpcRuntime::ReopenContainerLog(const std::string& container_id) {
  CRILET_CHECK_ENDPOINT();
  v1::ReopenContainerLogRequest req;
  req.set_container_id(container_id);
  v1::ReopenContainerLogResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->runtime->ReopenContainerLog(ctx.get(), req, &resp), "ReopenContainerLog " + Short(container_id));
}

namespace {

v1::ExecSyncRequest ExecRequest(const std::string& container_id, const std::vector<std::string>& cmd,
                                std::chrono::seconds timeout) {
  v1::ExecSyncRequest req;
  req.set_container_id(container_id);
  for (const auto& c : cmd) req.add_cmd(c);
  req.set_timeout(timeout.count());
  return req;
}

}  // namespace

std::chrono::milliseconds ExecDeadline(std::chrono::seconds timeout, std::chrono::milliseconds request_timeout) {
  return timeout.count() > 0 ? std::chrono::milliseconds(timeout) + request_timeout : request_timeout;
}

namespace {

Status ExecAnswer(const Status& call, const std::string& answer, const std::string& container_id, ExecResult* out) {
  v1::ExecSyncResponse resp;
  Status s = ParseAnswer(call, answer, &resp, "ExecSync " + Short(container_id));
  if (!s.ok()) return s;
  out->stdout_data = resp.stdout();
  out->stderr_data = resp.stderr();
  out->exit_code = resp.exit_code();
  return s;
}

class GrpcExecCall : public ExecCall {
 public:
  GrpcExecCall(std::unique_ptr<H2Call> call, std::string container_id)
      : call_(std::move(call)), container_id_(std::move(container_id)) {}
  int fd() const override { return call_->fd(); }
  short events() const override { return call_->events(); }
  std::chrono::steady_clock::time_point deadline() const override { return call_->deadline(); }
  bool Ready() const override { return call_->Ready(); }
  std::optional<Status> Step(ExecResult* out) override {
    std::string answer;
    std::optional<Status> s = call_->Step(&answer);
    if (!s) return std::nullopt;
    return ExecAnswer(*s, answer, container_id_, out);
  }
  Status Expire() override { return call_->Expire().Wrap("ExecSync " + Short(container_id_)); }

 private:
  std::unique_ptr<H2Call> call_;
  std::string container_id_;
};

}  // namespace

Status GrpcRuntime::ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                             std::chrono::seconds timeout, ExecResult* out) {
  CRILET_CHECK_ENDPOINT();
  std::string answer;
  Status s = stubs_->lean->Call("/runtime.v1.RuntimeService/ExecSync",
                                ExecRequest(container_id, cmd, timeout).SerializeAsString(),
                                ExecDeadline(timeout, options_.request_timeout), &answer);
  return ExecAnswer(s, answer, container_id, out);
}

std::unique_ptr<ExecCall> GrpcRuntime::StartExecSync(const std::string& container_id,
                                                     const std::vector<std::string>& cmd,
                                                     std::chrono::seconds timeout, Status* error) {
  if (!stubs_) {
    *error = Status::InvalidArgument(target_error_);
    return nullptr;
  }
  std::unique_ptr<H2Call> call =
      stubs_->lean->Start("/runtime.v1.RuntimeService/ExecSync", ExecRequest(container_id, cmd, timeout).SerializeAsString(),
                          ExecDeadline(timeout, options_.request_timeout), error);
  if (!call) {
    *error = error->Wrap("ExecSync " + Short(container_id));
    return nullptr;
  }
  return std::make_unique<GrpcExecCall>(std::move(call), container_id);
}

Status GrpcRuntime::Exec(const StreamExec& request, std::string* url) {
  CRILET_CHECK_ENDPOINT();
  v1::ExecRequest req;
  req.set_container_id(request.container_id);
  for (const auto& c : request.cmd) req.add_cmd(c);
  req.set_tty(request.tty);
  req.set_stdin(request.stdin);
  req.set_stdout(request.stdout);
  req.set_stderr(request.stderr && !request.tty);  // CRI refuses tty with stderr: the terminal carries both
  v1::ExecResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->Exec(ctx.get(), req, &resp), "Exec " + Short(request.container_id));
  if (s.ok()) *url = resp.url();
  return s;
}

Status GrpcRuntime::Attach(const StreamAttach& request, std::string* url) {
  CRILET_CHECK_ENDPOINT();
  v1::AttachRequest req;
  req.set_container_id(request.container_id);
  req.set_tty(request.tty);
  req.set_stdin(request.stdin);
  req.set_stdout(request.stdout);
  req.set_stderr(request.stderr && !request.tty);
  v1::AttachResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->Attach(ctx.get(), req, &resp), "Attach " + Short(request.container_id));
  if (s.ok()) *url = resp.url();
  return s;
}

Status GrpcRuntime::PortForward(const std::string& sandbox_id, const std::vector<int32_t>& ports, std::string* url) {
  CRILET_CHECK_ENDPOINT();
  v1::PortForwardRequest req;
  req.set_pod_sandbox_id(sandbox_id);
  for (int32_t p : ports) req.add_port(p);
  v1::PortForwardResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->runtime->PortForward(ctx.get(), req, &resp), "PortForward " + Short(sandbox_id));
  if (s.ok()) *url = resp.url();
  return s;
}

Status GrpcRuntime::ListImages(std::vector<Image>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ListImagesRequest req;
  v1::ListImagesResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->image->ListImages(ctx.get(), req, &resp), "ListImages");
  if (s.ok()) {
    out->clear();
    for (const auto& i : resp.images()) out->push_back(FromProto(i));
  }
  return s;
}

Status GrpcRuntime::ImageStatus(const std::string& image, std::optional<Image>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ImageStatusRequest req;
  req.mutable_image()->set_image(image);
  v1::ImageStatusResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->image->ImageStatus(ctx.get(), req, &resp), "ImageStatus " + image);
  if (s.ok()) {
    if (resp.has_image() && !resp.image().id().empty()) {
      *out = FromProto(resp.image());
    } else {
      out->reset();
    }
  }
  return s;
}

Status GrpcRuntime::PullImage(const std::string& image, const AuthConfig* auth, const SandboxConfig* sandbox_config,
                              std::string* image_ref) {
  CRILET_CHECK_ENDPOINT();
  v1::PullImageRequest req;
  req.mutable_image()->set_image(image);
  if (auth) {
    v1::AuthConfig* a = req.mutable_auth();
    a->set_username(auth->username);
    a->set_password(auth->password);
    a->set_auth(auth->auth);
    a->set_server_address(auth->server_address);
    a->set_identity_token(auth->identity_token);
    a->set_registry_token(auth->registry_token);
  }
  if (sandbox_config) ToProto(*sandbox_config, req.mutable_sandbox_config());
  v1::PullImageResponse resp;
  auto ctx = Context(options_.pull_timeout);
  Status s = FromGrpc(stubs_->image->PullImage(ctx.get(), req, &resp), "PullImage " + image);
  if (s.ok() && image_ref) *image_ref = resp.image_ref();
  return s;
}

Status GrpcRuntime::RemoveImage(const std::string& image) {
  CRILET_CHECK_ENDPOINT();
  v1::RemoveImageRequest req;
  req.mutable_image()->set_image(image);
  v1::RemoveImageResponse resp;
  auto ctx = Context(options_.request_timeout);
  return FromGrpc(stubs_->image->RemoveImage(ctx.get(), req, &resp), "RemoveImage " + image);
}

Status GrpcRuntime::ImageFsInfo(std::vector<FilesystemUsage>* out) {
  CRILET_CHECK_ENDPOINT();
  v1::ImageFsInfoRequest req;
  v1::ImageFsInfoResponse resp;
  auto ctx = Context(options_.request_timeout);
  Status s = FromGrpc(stubs_->image->ImageFsInfo(ctx.get(), req, &resp), "ImageFsInfo");
  if (s.ok()) {
    out->clear();
    for (const auto& fs : resp.image_filesystems()) {
      FilesystemUsage u;
      u.mountpoint = fs.fs_id().mountpoint();
      u.used_bytes = fs.used_bytes().value();
      u.inodes_used = fs.inodes_used().value();
      out->push_back(u);
    }
  }
  return s;
}

}  // namespace crilet::cri
