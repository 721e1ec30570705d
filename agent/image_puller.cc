// Image presence and pulls with kubelet's policy, backoff, events and waiting reasons (pkg/kubelet/images).
#include "agent/image_puller.h"

#include <chrono>

#include "agent/pull_credentials.h"
#include "common/duration.h"

namespace crilet::agent {
namespace {

// kubelet's kuberuntime PullImage: anonymous when no credential matches, else every matching credential in
// turn until one works, the errors aggregated as utilerrors.NewAggregate prints them ("[e1, e2]").
Status PullWithCredentials(const Services& env, const manifests::Pod& pod, const std::string& image,
                           const manifests::LocalObjects& objects, const cri::SandboxConfig& sandbox,
                           std::string* ref) {
  DockerKeyring node;
  if (env.node_credentials) node = env.node_credentials->Keyring();
  ImagePullCredentials creds = CredentialsForImage(pod, image, objects, node);
  if (!creds.error.empty()) return Status::InvalidArgument(creds.error);
  if (creds.credentials.empty()) return env.runtime->PullImage(image, nullptr, &sandbox, ref);
  Status s;
  std::vector<std::string> errors;
  for (const PullCredential& c : creds.credentials) {
    s = env.runtime->PullImage(image, &c.auth, &sandbox, ref);
    if (s.ok()) return s;
    errors.push_back(s.message());
  }
  if (errors.size() == 1) return s;
  std::string all;
  for (const auto& e : errors) all += (all.empty() ? "" : ", ") + e;
  return Status(s.code(), "[" + all + "]");
}

}  // namespace

bool EnsureImage(const Services& env, const manifests::Pod& pod, const manifests::Container& c,
                 const cri::SandboxConfig& sandbox, const std::string& field_path, Backoff* backoff,
                 std::string* image_ref, StartFailure* failure) {
  const std::string& uid = pod.metadata.uid;
  const std::string& image = c.image;
  auto fail = [&](const std::string& reason, const std::string& message) {
    *failure = StartFailure{reason, message};
    return false;
  };

  // kubelet's getPullSecretsForPod, on every sync of the pod: a missing Secret is a warning, and the pull is
  // still made, without its credentials.
  const manifests::LocalObjects objects =
      env.objects && !pod.spec.image_pull_secrets.empty() ? env.objects() : manifests::LocalObjects{};
  if (std::vector<std::string> missing = MissingPullSecrets(pod, objects); !missing.empty()) {
    env.events->Record(uid, "Warning", "FailedToRetrieveImagePullSecret", MissingPullSecretsMessage(missing), "");
  }

  std::optional<cri::Image> present;
  if (Status s = env.runtime->ImageStatus(image, &present); !s.ok()) {
    env.events->Record(uid, "Warning", "InspectFailed", "Failed to inspect image \"" + image + "\": " + s.message(), field_path);
    return fail("ImageInspectError", "Failed to inspect image \"" + image + "\": " + s.message());
  }
  const std::string& policy = c.image_pull_policy;
  bool pull = policy == "Always" || (policy != "Never" && !present);
  if (!pull) {
    if (!present) {
      std::string msg = "Container image \"" + image + "\" is not present with pull policy of Never";
      env.events->Record(uid, "Warning", "ErrImageNeverPull", msg, field_path);
      return fail("ErrImageNeverPull", msg);
    }
    env.events->Record(uid, "Normal", "Pulled", "Container image \"" + image + "\" already present on machine", field_path);
    *image_ref = present->id;
    return true;
  }

  TimePoint now = env.clock->Now();
  std::string key = uid + "_" + image;
  if (backoff->IsInBackOffSinceUpdate(key, now)) {
    std::string msg = "Back-off pulling image \"" + image + "\"";
    env.events->Record(uid, "Normal", "BackOff", msg, field_path);
    return fail("ImagePullBackOff", msg);
  }
  env.events->Record(uid, "Normal", "Pulling", "Pulling image \"" + image + "\"", field_path);
  auto started = std::chrono::steady_clock::now();
  std::string ref;
  Status s = PullWithCredentials(env, pod, image, objects, sandbox, &ref);
  auto took = std::chrono::steady_clock::now() - started;
  if (!s.ok()) {
    backoff->Next(key, now, now);
    std::string msg = "Failed to pull image \"" + image + "\": " + s.message();
    env.events->Record(uid, "Warning", "Failed", msg, field_path);
    env.events->Record(uid, "Warning", "Failed", "Error: ErrImagePull", field_path);
    return fail("ErrImagePull", msg);
  }
  backoff->Reset(key);
  std::optional<cri::Image> pulled;
  uint64_t size = 0;
  if (env.runtime->ImageStatus(image, &pulled).ok() && pulled) size = pulled->size;
  std::string d = FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(took));
  env.events->Record(uid, "Normal", "Pulled",
                     "Successfully pulled image \"" + image + "\" in " + d + " (" + d +
                         " including waiting). Image size: " + std::to_string(size) + " bytes.",
                     field_path);
  *image_ref = ref.empty() && pulled ? pulled->id : ref;
  return true;
}

}  // namespace crilet::agent
