#!/usr/bin/env bash
# Kubelet parity for the security context with the real runtime: runAsNonRoot checked against the image's
# user (CreateContainerConfigError with kubelet's words), fsGroup ownership and setgid on an emptyDir,
# localhostProfile seccomp profiles read from <root-dir>/seccomp, status.qosClass, priority from the
# system class, and specs crilet cannot honour (hostUsers: false, fileKeyRef) refused with file:line.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

# A profile that allows everything but mkdir: proof that the file under <root-dir>/seccomp was loaded.
mkdir -p "$ROOT/seccomp/profiles"
echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' \
  > "$ROOT/seccomp/profiles/no-mkdir.json"

manifest root-image.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: root-image}
spec:
  hostNetwork: true
  securityContext: {runAsNonRoot: true}
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
manifest user-zero.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: user-zero}
spec:
  hostNetwork: true
  securityContext: {runAsUser: 0}
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    securityContext: {runAsNonRoot: true}
YAML
# The pause image says User 65535:65535: runAsNonRoot passes on the image's user alone.
manifest image-user.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: image-user}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  priorityClassName: system-node-critical
  securityContext: {runAsNonRoot: true}
  containers:
  - name: c
    image: localhost/pause:3.9
    resources: {limits: {cpu: 100m, memory: 32Mi}}
YAML
manifest fsgroup.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: fsgroup}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, fsGroupChangePolicy: OnRootMismatch}
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    resources: {requests: {memory: 16Mi}}
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, emptyDir: {}}
YAML
manifest seccomp.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: seccomp}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile: {type: Localhost, localhostProfile: profiles/no-mkdir.json}
  containers:
  - {name: pod-level, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
  - name: own
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    securityContext:
      seccompProfile: {type: RuntimeDefault}
YAML
manifest hostusers.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: hostusers}
spec:
  hostUsers: false
  containers:
  - {name: c, image: docker.io/library/busybox:1.36}
YAML
manifest filekeyref.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: filekeyref}
spec:
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    env:
    - name: X
      valueFrom:
        fileKeyRef: {path: a.env, key: X, volumeName: v}
YAML

# --- runAsNonRoot ---
wait_for "root-image CreateContainerConfigError" 20 pod_is root-image \
  '.status.containerStatuses[0].state.waiting.reason == "CreateContainerConfigError"'
uid=$(pod root-image | jq -r .metadata.uid)
want="container has runAsNonRoot and image will run as root (pod: \"root-image-node1_default($uid)\", container: c)"
[[ $(pod root-image | jq -r .status.containerStatuses[0].state.waiting.message) == "$want" ]] ||
  fail "message: $(pod root-image | jq -r .status.containerStatuses[0].state.waiting.message)"
[[ $(cri ps -a -o json | jq '[.[] | select(.labels["io.kubernetes.pod.name"] == "root-image-node1")] | length') == 0 ]] ||
  fail "a root container was created"
ok "runAsNonRoot with a root image: CreateContainerConfigError, kubelet's message, no container created"

wait_for "user-zero CreateContainerConfigError" 20 pod_is user-zero \
  '.status.containerStatuses[0].state.waiting.reason == "CreateContainerConfigError"'
pod_is user-zero '.status.containerStatuses[0].state.waiting.message | startswith("container'"'"'s runAsUser breaks non-root policy (pod: ")' ||
  fail "message: $(pod user-zero | jq -r .status.containerStatuses[0].state.waiting.message)"
ok "runAsUser 0 (from the pod) with runAsNonRoot (on the container): refused with kubelet's wording"

wait_for "image-user Running" 20 pod_is image-user '.status.phase == "Running"'
ok "runAsNonRoot with an image whose user is 65535: runs"

# --- priority and QoS ---
pod_is image-user '.spec.priority == 2000001000 and .status.qosClass == "Guaranteed"' ||
  fail "priority/qosClass: $(pod image-user | jq -c '[.spec.priority, .status.qosClass]')"
pod_is root-image '.status.qosClass == "BestEffort"' || fail "root-image qosClass"
described=$(C describe pod image-user)
for want in "^Priority: +2000001000$" "^Priority Class Name:  system-node-critical$" "^QoS Class: +Guaranteed$"; do
  grep -qE "$want" <<<"$described" || fail "describe lacks '$want'"
done
ok "system-node-critical gives priority 2000001000; status.qosClass and describe's QoS Class: Guaranteed"

# --- fsGroup on an emptyDir ---
wait_for "fsgroup Running" 20 pod_is fsgroup '.status.phase == "Running"'
pod_is fsgroup '.status.qosClass == "Burstable"' || fail "fsgroup qosClass"
fuid=$(pod fsgroup | jq -r .metadata.uid)
dir="$ROOT/pods/$fuid/volumes/kubernetes.io~empty-dir/data"
[[ $(stat -c '%g %a' "$dir") == "2000 2777" ]] || fail "emptyDir on the host: $(stat -c '%g %a' "$dir")"
[[ $(C exec fsgroup -- id -u) == 1000 ]] || fail "runAsUser"
grep -qw 2000 <<<"$(C exec fsgroup -- id -G)" || fail "fsGroup is not a supplemental group: $(C exec fsgroup -- id -G)"
C exec fsgroup -- touch /data/new || fail "user 1000 cannot write the emptyDir"
[[ $(stat -c %g "$dir/new") == 2000 ]] || fail "a new file's group is $(stat -c %g "$dir/new"), not the fsGroup (setgid)"
ok "fsGroup: emptyDir group 2000 with setgid (2777), supplemental group 2000, new files inherit it"

# --- seccomp localhostProfile ---
wait_for "seccomp Running" 20 pod_is seccomp '.status.phase == "Running"'
C exec seccomp -c pod-level -- mkdir /tmp/x 2>/dev/null && fail "mkdir allowed under the no-mkdir profile"
C exec seccomp -c own -- mkdir /tmp/x || fail "the container's RuntimeDefault did not replace the pod's profile"
ok "pod-level Localhost profile from <root-dir>/seccomp is applied (mkdir refused); a container's own profile wins"

# --- crilet's own oom_score_adj (kubelet's -999): this VM refuses it; one warning, crilet carries on ---
warnings=$(grep -c "crilet's own oom_score_adj" "$T/crilet.log" || true)
(( warnings <= 1 )) || fail "$warnings oom_score_adj warnings"
own=$(cat "/proc/$CRILET_PID/oom_score_adj")
(( warnings == 1 || own == -999 )) || fail "no warning, yet oom_score_adj is $own"
kill -0 "$CRILET_PID" || fail "crilet died"
ok "crilet's own oom_score_adj: $own with $warnings warning(s); the node-critical pod (-997 asked) runs"

# --- refused specs ---
wait_for "hostUsers error logged" 10 grep -q "hostusers.yaml:5: spec.hostUsers: false needs a user namespace" "$T/crilet.log"
wait_for "fileKeyRef error logged" 10 grep -q \
  "filekeyref.yaml:11: spec.containers\[0\].env\[0\].valueFrom.fileKeyRef: fileKeyRef is not supported by crilet" "$T/crilet.log"
pod hostusers >/dev/null && fail "the hostUsers: false pod was admitted"
pod filekeyref >/dev/null && fail "the fileKeyRef pod was admitted"
ok "hostUsers: false and a fileKeyRef env are refused with file:line and field path"

rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
