#!/usr/bin/env bash
# Hooks (postStart, preStop, a failing postStart), sidecar order at start and stop, activeDeadlineSeconds,
# a Memory emptyDir, and orphan cleanup after crilet restarts, on real containerd.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet
out=$T/out
mkdir -p "$out"

manifest hooks.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  terminationGracePeriodSeconds: 10
  initContainers:
  - name: side
    image: docker.io/library/busybox:1.36
    restartPolicy: Always
    command: [sh, -c, "echo side-start >> /out/events; trap 'echo side-stop >> /out/events; exit 0' TERM; while true; do sleep 0.1; done"]
    volumeMounts: [{name: out, mountPath: /out}]
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "echo app-start >> /out/events; trap 'echo app-stop >> /out/events; exit 0' TERM; while true; do sleep 0.1; done"]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo poststart >> /out/events"]}}
      preStop: {exec: {command: [sh, -c, "echo prestop >> /out/events; sleep 1"]}}
    volumeMounts: [{name: out, mountPath: /out}, {name: mem, mountPath: /mem}]
  volumes:
  - {name: out, hostPath: {path: $out, type: Directory}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
YAML
manifest badhook.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: badhook}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    lifecycle: {postStart: {exec: {command: [sh, -c, "echo hook broke; exit 1"]}}}
YAML
manifest deadline.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: deadline}
spec:
  activeDeadlineSeconds: 3
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML

wait_for "hooks Running" 20 pod_is hooks '.status.phase == "Running" and .status.containerStatuses[0].ready'
order=$(cut -d" " -f1 "$out/events" | tr '\n' ' ')
[[ $order == "side-start app-start poststart " || $order == "side-start poststart app-start " ]] || fail "start order: $order"
pod_is hooks '.status.initContainerStatuses[0].state.running and .status.initContainerStatuses[0].started' || fail "sidecar not running"
ok "sidecar started before the app and keeps running; postStart ran ($order)"

uid=$(pod hooks | jq -r .metadata.uid)
mem="$ROOT/pods/$uid/volumes/kubernetes.io~empty-dir/mem"
grep -q " $mem tmpfs " /proc/self/mounts || fail "Memory emptyDir is not a tmpfs at $mem"
grep -q " $mem tmpfs .*size=16384k" /proc/self/mounts || fail "sizeLimit not applied: $(grep "$mem" /proc/self/mounts)"
ok "emptyDir medium Memory is a 16Mi tmpfs"

wait_for "badhook PostStartHookError" 20 pod_is badhook '.status.containerStatuses[0].state.waiting.reason == "PostStartHookError" or .status.containerStatuses[0].restartCount >= 1'
grep -q "FailedPostStartHook" <<<"$(curl -s "http://127.0.0.1:$PORT/events")" || fail "no FailedPostStartHook event"
wait_for "badhook restarted" 20 pod_is badhook '.status.containerStatuses[0].restartCount >= 1'
ok "a failing postStart kills the container (FailedPostStartHook) and it is restarted"

wait_for "deadline Failed" 15 pod_is deadline '.status.phase == "Failed" and .status.reason == "DeadlineExceeded"'
wait_for "deadline's containers stopped" 10 pod_is deadline '.status.containerStatuses[0].state.terminated'
ok "activeDeadlineSeconds: phase Failed, reason DeadlineExceeded, containers stopped"

# Removal: preStop runs first, the app stops before the sidecar, the tmpfs is unmounted, nothing is left.
rm "$MANIFESTS/hooks.yaml"
wait_for "hooks removed" 30 bash -c "! '$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq -e '.[] | select(.name == \"hooks-node1\")' >/dev/null"
order=$(cut -d" " -f1 "$out/events" | tr '\n' ' ')
[[ $order == *"prestop app-stop side-stop "* ]] || fail "stop order: $order"
grep -q " $mem " /proc/self/mounts && fail "tmpfs still mounted"
[[ ! -e $ROOT/pods/$uid ]] || fail "pod directory left"
ok "removal: preStop, then the app, then the sidecar stopped ($order); tmpfs unmounted"

# Orphans: crilet is killed, a manifest removed meanwhile; the restarted crilet removes that pod.
stop_crilet KILL
rm "$MANIFESTS/badhook.yaml" "$MANIFESTS/deadline.yaml"
start_crilet
wait_for "orphans removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
grep -q "removing orphaned pod" "$T/crilet.log" || fail "no orphan log line"
ok "pods whose manifests vanished while crilet was down are removed as orphans"
stop_crilet TERM
echo "# $CHECKS checks passed"
