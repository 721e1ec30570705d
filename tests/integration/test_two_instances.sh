#!/usr/bin/env bash
# Two crilets (different --root-dir) on one containerd, each with its own manifest: neither removes the
# other's pod as an orphan, both pods keep running with unchanged container IDs over many relists, the
# second names the first at start, and a restarted first one adopts its own pod and leaves the other alone,
# keeping the conditions' lastTransitionTimes (Ready, decided by a readiness probe, included) and not observing the adopted pod's start again. Last, a removed
# manifest's pod shows Terminating while it stops. (Kubelet parity: each kubelet only garbage-collects the pods
# it owns; a deleted pod is Terminating during its grace period.)
source "$(dirname "$0")/lib.sh"

start_lab
RELIST=300ms
manifest alpha.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: alpha}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
YAML
start_crilet --relist-period "$RELIST"
wait_for "alpha Running" 20 pod_is alpha '.status.phase == "Running" and .status.containerStatuses[0].ready'
PORT1=$PORT

# The second instance: its own root dir, logs and manifest directory, the same runtime and node name.
MANIFESTS2=$T/manifests2
mkdir -p "$MANIFESTS2"
cat > "$MANIFESTS2/beta.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: beta}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
PORT2=$(free_port)
"$CRILET_BIN" run --pod-manifest-path "$MANIFESTS2" --container-runtime-endpoint "$CRILET_RUNTIME_ENDPOINT" \
  --root-dir "$T/root2" --pod-logs-dir "$T/logs2" --hostname-override node1 --read-only-port "$PORT2" --healthz-port 0 \
  --relist-period "$RELIST" >>"$T/crilet2.log" 2>&1 &
CRILET2_PID=$!
stop_second() {
  if kill -0 "$CRILET2_PID" 2>/dev/null; then
    kill -TERM "$CRILET2_PID" 2>/dev/null || true
    wait "$CRILET2_PID" 2>/dev/null || true
  fi
}
# lib.sh's cleanup reads the exit status from $?; errexit must not end the trap before it runs.
trap 'rc=$?; stop_second; set +e; (exit $rc); cleanup' EXIT
wait_for "second crilet serves /healthz" 10 curl -sf "http://127.0.0.1:$PORT2/healthz"

pod2() { curl -sf "http://127.0.0.1:$PORT2/pods/default/$1-node1"; }
beta_running() { pod2 beta | jq -e '.status.phase == "Running" and .status.containerStatuses[0].ready' >/dev/null; }
wait_for "beta Running" 20 beta_running
id_of() { curl -sf "http://127.0.0.1:$1/pods/default/$2-node1" | jq -r '.status.containerStatuses[0].containerID'; }
relists() { curl -sf "http://127.0.0.1:$1/metrics" | awk '$1 == "crilet_relist_duration_seconds_count" {print $2}'; }
alpha_id=$(id_of "$PORT1" alpha)
beta_id=$(id_of "$PORT2" beta)
[[ $alpha_id == containerd://* && $beta_id == containerd://* ]] || fail "container IDs: $alpha_id $beta_id"

grep -q "another crilet (root dir $ROOT) owns 1 pod on the runtime" "$T/crilet2.log" ||
  fail "the second crilet did not name the first at start: $(grep -i another "$T/crilet2.log" || true)"
ok "the second crilet logged once that root dir $ROOT owns 1 pod on the runtime"

# Ten relists of each instance (each relist is when orphans are removed), counted through /metrics.
n1=$(relists "$PORT1")
n2=$(relists "$PORT2")
more_relists() { (($(relists "$PORT1") >= n1 + 10 && $(relists "$PORT2") >= n2 + 10)); }
wait_for "10 relists of both crilets" 20 more_relists
[[ $(id_of "$PORT1" alpha) == "$alpha_id" ]] || fail "alpha's container changed: $(id_of "$PORT1" alpha)"
[[ $(id_of "$PORT2" beta) == "$beta_id" ]] || fail "beta's container changed: $(id_of "$PORT2" beta)"
[[ $(count_cri pods) -eq 2 ]] || fail "expected 2 sandboxes, found $(count_cri pods)"
[[ $(cri ps -o json | jq length) -eq 2 ]] || fail "expected 2 running containers"
if grep -q "orphaned" "$T/crilet.log" "$T/crilet2.log"; then fail "an instance removed a pod as an orphan"; fi
ok "over $(( $(relists "$PORT1") - n1 ))/$(( $(relists "$PORT2") - n2 )) relists both pods kept their containers"

# Sandboxes carry their owner's root dir.
owners=$(cri pods -o json | jq -r '[.[].labels["io.crilet.root-dir"]] | sort | join(" ")')
[[ $owners == "$(printf '%s\n' "$ROOT" "$T/root2" | sort | tr '\n' ' ' | sed 's/ $//')" ]] || fail "owner labels: $owners"
ok "each sandbox is labelled io.crilet.root-dir with its instance's root dir"

# Restart the first: it adopts its own pod (same container) and names the second at start.
conditions() { curl -sf "http://127.0.0.1:$1/pods/default/$2-node1" | jq -c '[.status.conditions[] | {type, status, lastTransitionTime}]'; }
before=$(conditions "$PORT1" alpha)
starts() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="crilet_pod_start_duration_seconds_$1" '$1 ~ "^"m {print $2}'; }
[[ $(starts count) == 1 ]] || fail "the first crilet observed alpha's start $(starts count) times, not once"
stop_crilet
start_crilet --relist-period "$RELIST"
n1=$(relists "$PORT")
relisted_since_restart() { (($(relists "$PORT") >= n1 + 5)); }
wait_for "5 relists after the restart" 10 relisted_since_restart
wait_for "alpha Running again" 10 pod_is alpha '.status.phase == "Running"'
# Its readiness probe ran again since the restart (the new process counts from 0), so Ready was decided by
# the probe and not only carried over.
probes_run() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ /^crilet_probe_total/ {n += $2} END {print n + 0}'; }
probed_twice() { (($(probes_run) >= 2)); }
wait_for "alpha's readiness probe to run twice after the restart" 10 probed_twice
[[ $(id_of "$PORT" alpha) == "$alpha_id" ]] || fail "alpha was not adopted: $(id_of "$PORT" alpha)"
[[ $(id_of "$PORT2" beta) == "$beta_id" ]] || fail "beta's container changed after the restart"
grep -q "another crilet (root dir $T/root2) owns 1 pod on the runtime" "$T/crilet.log" || fail "restart did not name the second"
ok "a restarted first crilet adopted its pod (same container) and left the second's alone"

# Adoption keeps the status and the start-duration histogram honest.
after=$(conditions "$PORT" alpha)
[[ $after == "$before" ]] || fail "conditions changed on adoption: before $before after $after"
n=$(starts count)
[[ -z $n || $n == 0 ]] || fail "the adopted pod was observed in crilet_pod_start_duration_seconds: $n"
ok "after the restart alpha's conditions kept their lastTransitionTimes and its start was not observed again"

# A removed manifest's pod is Terminating during its grace period (sleep as PID 1 ignores SIGTERM: 4 s).
manifest slow.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  terminationGracePeriodSeconds: 4
  containers:
  - {name: app, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
wait_for "slow Running" 20 pod_is slow '.status.phase == "Running"'
rm "$MANIFESTS/slow.yaml"
wait_for "slow has a deletionTimestamp" 10 pod_is slow '.metadata.deletionTimestamp != null and .metadata.deletionGracePeriodSeconds == 4'
out=$(C get pods)
grep -qE '^slow-node1 +[0-9]/1 +Terminating ' <<<"$out" || fail "get does not show Terminating: $out"
grep -q "Terminating (lasts" <<<"$(C describe pod slow-node1)" || fail "describe does not show Terminating"
wait_for "slow gone" 15 bash -c "! curl -sf http://127.0.0.1:$PORT/pods/default/slow-node1"
ok "a removed pod showed deletionTimestamp, deletionGracePeriodSeconds 4 and Terminating in get and describe until it was gone"
