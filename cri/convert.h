/// Conversions between cri/types.h structs and the generated runtime.v1 messages (used by GrpcRuntime only).
#pragma once

#include "cri/types.h"
#include "proto/api.pb.h"

namespace crilet::cri {

void ToProto(const SandboxConfig& in, runtime::v1::PodSandboxConfig* out);
void ToProto(const ContainerConfig& in, runtime::v1::ContainerConfig* out);
void ToProto(const SandboxFilter& in, runtime::v1::PodSandboxFilter* out);
void ToProto(const ContainerFilter& in, runtime::v1::ContainerFilter* out);

Sandbox FromProto(const runtime::v1::PodSandbox& in);
SandboxStatus FromProto(const runtime::v1::PodSandboxStatus& in);
Container FromProto(const runtime::v1::Container& in);
ContainerStatus FromProto(const runtime::v1::ContainerStatus& in);
Image FromProto(const runtime::v1::Image& in);

RuntimeStatusInfo FromProto(const runtime::v1::StatusResponse& in);
void ToProto(const ContainerStatsFilter& in, runtime::v1::ContainerStatsFilter* out);
ContainerStats FromProto(const runtime::v1::ContainerStats& in);
void ToProto(const PodSandboxStatsFilter& in, runtime::v1::PodSandboxStatsFilter* out);
PodSandboxStats FromProto(const runtime::v1::PodSandboxStats& in);

// containerd's verbose ContainerStatus info["info"] is JSON with a "pid" member; 0 if absent.
int64_t PidFromVerboseInfo(const std::string& info_json);

}  // namespace crilet::cri
