#!/usr/bin/env bash
# Issue 15, safe defaults, with the real binary: a world-writable manifest directory is refused at start (exit
# code and one line) unless --allow-insecure-manifest-dir; a file made world- or group-writable at runtime is
# refused, logged once, and its last valid pod keeps running (same container); FIFOs and a /dev/zero symlink
# are reported and block nothing; a hostPath /etc pod is warned about once, in the log and in describe.
source "$(dirname "$0")/lib.sh"

ROUNDS=$(rounds 5 2)
pod_yaml() {  # NAME [LABEL]: a sleeping busybox pod; LABEL changes the content (so the UID) but not the container
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {rev: "%s"}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: docker.io/library/busybox:1.36\n    command: [sleep, "3600"]\n' "$1" "${2:-1}"
}
healthz() { curl -s "http://127.0.0.1:$PORT/healthz?verbose"; }
container_id() { pod "$1" | jq -r '.status.containerStatuses[0].containerID // ""'; }
count_log() { grep -cF -- "$1" "$T/crilet.log" || true; }

start_lab

# --- 1. refused at start -------------------------------------------------------------------------------
chmod 0777 "$MANIFESTS"
inject "manifest dir mode 0777, crilet run without the override"
set +e
timeout 20 "$CRILET_BIN" run --pod-manifest-path "$MANIFESTS" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$ROOT" --pod-logs-dir "$LOGS" --hostname-override node1 --read-only-port 0 >"$T/refused.log" 2>&1
rc=$?
set -e
lines=$(grep -c "refusing manifest directory $MANIFESTS (owner uid 0, gid 0, mode 0777) is world-writable (mode 0777); fix with chmod go-w $MANIFESTS or start with --allow-insecure-manifest-dir" "$T/refused.log" || true)
found "exit_code=$rc refusal_lines=$lines log_lines=$(wc -l <"$T/refused.log")"
[[ $rc -eq 2 && $lines -eq 1 ]] || { cat "$T/refused.log"; fail "world-writable dir not refused (rc $rc)"; }
ok "a world-writable manifest directory is refused at start: exit 2 and one line with path, owner, mode, fix, flag"

# --config names staticPodPath and what crilet enforces, so a writable config is refused the same way.
chmod 0755 "$MANIFESTS"
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: %s\n' "$MANIFESTS" > "$T/kubelet.yaml"
chmod 0666 "$T/kubelet.yaml"
inject "--config file mode 0666"
set +e
timeout 20 "$CRILET_BIN" run --config "$T/kubelet.yaml" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$ROOT" --pod-logs-dir "$LOGS" --hostname-override node1 --read-only-port 0 >"$T/refused-config.log" 2>&1
rc=$?
set -e
lines=$(grep -c "Error: --config: refusing kubelet config file $T/kubelet.yaml (owner uid 0, gid 0, mode 0666) is world-writable (mode 0666); fix with chmod go-w $T/kubelet.yaml or start with --allow-insecure-manifest-dir" "$T/refused-config.log" || true)
found "config exit_code=$rc refusal_lines=$lines"
[[ $rc -eq 2 && $lines -eq 1 ]] || { cat "$T/refused-config.log"; fail "world-writable --config not refused (rc $rc)"; }
ok "a world-writable --config file is refused at start: exit 2 and one line"
chmod 0777 "$MANIFESTS"

# --- 2. the override: one warning, pods run ------------------------------------------------------------
pod_yaml keep > "$MANIFESTS/keep.yaml"
inject "same dir (0777) with --allow-insecure-manifest-dir"
start_crilet --allow-insecure-manifest-dir --file-check-frequency 1h
wait_for "keep Running" 30 pod_is keep '.status.phase == "Running"'
warnings=$(count_log "--allow-insecure-manifest-dir: manifest owner and mode checks are off; manifest directory $MANIFESTS")
found "override_warnings=$warnings keep_running=1"
[[ $warnings -eq 1 ]] || fail "expected one override warning, got $warnings"
ok "--allow-insecure-manifest-dir starts with one warning and runs the pods"
stop_crilet TERM
chmod 0755 "$MANIFESTS"

# --- 3. a file made world-/group-writable at runtime ---------------------------------------------------
start_crilet --file-check-frequency 1h
wait_for "keep adopted and Running" 30 pod_is keep '.status.phase == "Running" and .status.containerStatuses[0].ready'
cid=$(container_id keep)
uid=$(pod keep | jq -r .metadata.uid)
refused_rounds=0
for ((i = 1; i <= ROUNDS; i++)); do
  # Ordered so that the file is never safe in between (group 0 may write; others may not).
  if ((i % 2)); then
    mode=0666 want="refusing manifest: world-writable (mode 0666)"
    chmod 0666 "$MANIFESTS/keep.yaml"; chown 0:0 "$MANIFESTS/keep.yaml"
  else
    mode=0664 want="refusing manifest: group-writable (mode 0664, group 1000)"
    chown 0:1000 "$MANIFESTS/keep.yaml"; chmod 0664 "$MANIFESTS/keep.yaml"
  fi
  pod_yaml keep "evil$i" > "$MANIFESTS/keep.yaml"   # new content that must not be loaded
  inject "round $i: keep.yaml chmod $mode and rewritten"
  wait_for "refusal in /healthz?verbose" 10 grep -qF "$MANIFESTS/keep.yaml: $want; fix with chmod go-w or start with --allow-insecure-manifest-dir" <<<"$(healthz)"
  # Rescans (SIGHUP, and the event of another file) must not log it again; the marker pod proves a scan ran.
  kill -HUP "$CRILET_PID"
  pod_yaml "marker$i" > "$MANIFESTS/marker$i.yaml"
  wait_for "marker$i Running" 30 pod_is "marker$i" '.status.phase == "Running"'
  logged=$(count_log "$want")
  now_cid=$(container_id keep)
  now_uid=$(pod keep | jq -r .metadata.uid)
  found "round $i: refusal_log_lines=$logged same_container=$([[ $now_cid == "$cid" ]] && echo 1 || echo 0) same_uid=$([[ $now_uid == "$uid" ]] && echo 1 || echo 0)"
  [[ $now_cid == "$cid" && $now_uid == "$uid" ]] || fail "the last valid pod was replaced ($cid -> $now_cid)"
  pod_is keep '.status.phase == "Running"' || fail "keep not Running"
  # Logged once per change of reason: rounds alternate, so round i has seen its reason (i + 1) / 2 times.
  (( logged == (i + 1) / 2 )) || fail "refusal logged $logged times in round $i"
  refused_rounds=$((refused_rounds + 1))
done
chown 0:0 "$MANIFESTS/keep.yaml"
chmod 0644 "$MANIFESTS/keep.yaml"
wait_for "the fixed file is loaded (new uid)" 30 pod_is keep ".metadata.uid != \"$uid\" and .metadata.labels.rev == \"evil$ROUNDS\" and .status.phase == \"Running\""
found "refused_rounds=$refused_rounds fixed_reloaded=1"
ok "a file made world/group-writable is refused and logged once; its last valid pod keeps running; chmod go-w reloads it"

# --- 4. FIFO and device entries -------------------------------------------------------------
mkfifo "$MANIFESTS/fifo.yaml"
ln -s /dev/zero "$MANIFESTS/zero.yaml"
inject "fifo.yaml (FIFO) and zero.yaml -> /dev/zero in the manifest dir, then other.yaml"
start_ns=$(date +%s%N)
pod_yaml other > "$MANIFESTS/other.yaml"
wait_for "other Running" 30 pod_is other '.status.phase == "Running"'
other_ms=$((($(date +%s%N) - start_ns) / 1000000))
h=$(healthz)
fifo=$(grep -cF "$MANIFESTS/fifo.yaml: not a regular file (fifo)" <<<"$h" || true)
zero=$(grep -cF "$MANIFESTS/zero.yaml: not a regular file (character device)" <<<"$h" || true)
set +e
vstart=$(date +%s%N)
timeout 5 "$CRILET_BIN" validate "$MANIFESTS/fifo.yaml" "$MANIFESTS/zero.yaml" >/dev/null 2>"$T/v.err"
vrc=$?
set -e
vms=$((($(date +%s%N) - vstart) / 1000000))
found "healthz_fifo=$fifo healthz_zero=$zero other_running_ms=$other_ms validate_rc=$vrc validate_ms=$vms fifo_log_lines=$(count_log 'fifo.yaml: not a regular file (fifo)')"
[[ $fifo -eq 1 && $zero -eq 1 ]] || fail "FIFO/device not reported: $h"
[[ $vrc -eq 1 ]] || fail "validate on a FIFO: rc $vrc (124 = it blocked)"
grep -qF "error: $MANIFESTS/fifo.yaml: not a regular file (fifo)" "$T/v.err" || fail "validate: $(cat "$T/v.err")"
[[ $(count_log 'fifo.yaml: not a regular file (fifo)') -eq 1 ]] || fail "the FIFO error is logged more than once"
ok "a FIFO and a /dev/zero symlink are file errors (healthz, log once, validate) and do not block other pods"
rm -f "$MANIFESTS/fifo.yaml" "$MANIFESTS/zero.yaml"

# --- 5. hostPath /etc ----------------------------------------------------------------------------------
inject "pod hostetc with hostPath /etc mounted read-only"
cat > "$MANIFESTS/hostetc.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: hostetc}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    volumeMounts: [{name: etc, mountPath: /host-etc, readOnly: true}]
  volumes:
  - {name: etc, hostPath: {path: /etc/, type: Directory}}
YAML
wait_for "hostetc Running" 30 pod_is hostetc '.status.phase == "Running"'
kill -HUP "$CRILET_PID"
pod_yaml marker > "$MANIFESTS/marker.yaml"
wait_for "marker Running" 30 pod_is marker '.status.phase == "Running"'
warn_lines=$(count_log 'default/hostetc-node1: SensitiveHostPath spec.volumes{etc}: volume "etc" mounts host path /etc/: host configuration (/etc)')
describe=$("$CRILET_BIN" describe pod hostetc-node1 --server "http://127.0.0.1:$PORT")
under_volume=$(grep -cE '^    Warning: +SensitiveHostPath: volume "etc" mounts host path /etc/' <<<"$describe" || true)
event_rows=$(grep -cE '^  Warning +SensitiveHostPath ' <<<"$describe" || true)
found "sensitive_log_lines=$warn_lines describe_volume_lines=$under_volume describe_event_rows=$event_rows"
[[ $warn_lines -eq 1 ]] || fail "SensitiveHostPath logged $warn_lines times"
[[ $under_volume -eq 1 && $event_rows -eq 1 ]] || { echo "$describe"; fail "describe lacks the SensitiveHostPath warning"; }
ok "hostPath /etc runs, is warned about once in the log, and describe shows it under the volume and in events"

stop_crilet TERM
echo "# $CHECKS checks passed"
