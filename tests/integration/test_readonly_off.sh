#!/usr/bin/env bash
# The CLI finds its daemon from the daemon's own KubeletConfiguration (--config; /etc/crilet/config.yaml by
# default), without --server or $CRILET_SERVER: first through the address and readOnlyPort it names, then,
# with readOnlyPort: 0, through the runtime and the manifest directory directly. The root dir comes from the
# sandboxes' io.crilet.root-dir label (crilet runs with --root-dir, which no config file holds), so readiness,
# start times and CrashLoopBackOff come from the agent's checkpoints as the status server would give them.
source "$(dirname "$0")/lib.sh"

start_lab
unset CRILET_SERVER
CONFIG=$T/config.yaml
PORT=$(free_port)
write_config() {  # write_config READ_ONLY_PORT
  cat >"$CONFIG" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: $MANIFESTS
containerRuntimeEndpoint: $CRILET_RUNTIME_ENDPOINT
podLogsDir: $LOGS
address: 127.0.0.1
readOnlyPort: $1
healthzPort: 0
crashLoopBackOff: {maxContainerRestartPeriod: 4s}
YAML
  chmod 644 "$CONFIG"
}
run_daemon() {
  "$CRILET_BIN" run --config "$CONFIG" --root-dir "$ROOT" --hostname-override node1 --crash-loop-backoff-initial 1s \
    >>"$T/crilet.log" 2>&1 &
  CRILET_PID=$!
}
K() { local verb=$1; shift; "$CRILET_BIN" "$verb" --config "$CONFIG" "$@"; }

manifest web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo web-started; exec sleep 3600']
    readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
YAML
manifest crash.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo boom; exit 3']
YAML

# --- 1. the config's address and readOnlyPort, without --server -------------------------------------------
write_config "$PORT"
run_daemon
wait_for "crilet serves /healthz on the config's port" 10 curl -sf "http://127.0.0.1:$PORT/healthz"
web_ready() { [[ $(K get pods web -o jsonpath='{.status.containerStatuses[0].ready}') == true ]]; }
wait_for "web ready (through the config's port)" 30 web_ready
crashlooping() { [[ $(K get pods crash --no-headers) == *CrashLoopBackOff* ]]; }
wait_for "crash in CrashLoopBackOff" 30 crashlooping
server_web=$(curl -sf "http://127.0.0.1:$PORT/pods/default/web-node1")
ok "get finds the status server from --config's address and readOnlyPort (no --server, no \$CRILET_SERVER)"

# --- 2. the same node with readOnlyPort: 0 ----------------------------------------------------------------
stop_crilet
write_config 0
run_daemon
# With the port off there is no /healthz to wait on: the daemon is up once its log says it started.
started() { grep -q "crilet .* starting" "$T/crilet.log" && kill -0 "$CRILET_PID"; }
wait_for "crilet started" 10 started
! curl -s --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "the read-only port still answers"
log "injected: crilet restarted with readOnlyPort: 0 (no status server) and --root-dir $ROOT, which $CONFIG does not name"

out=$(K get pods)
log "get pods, read directly:"$'\n'"$out"
grep -qE '^web-node1 +1/1 +Running +0 ' <<<"$out" || fail "web row: $out"
grep -qE '^crash-node1 +0/1 +(CrashLoopBackOff|Error|Completed) ' <<<"$out" || fail "crash row: $out"
local_web=$(K get pods web -o json)
for path in .metadata.uid .status.startTime .status.podIP .status.qosClass '.status.conditions | map(select(.type == "Ready")) | .[0].lastTransitionTime'; do
  a=$(jq -c "$path" <<<"$server_web") b=$(jq -c "$path" <<<"$local_web")
  [[ $a == "$b" && $a != null ]] || fail "$path: the status server said $a, the direct read says $b"
done
ok "get pods with the port off: web 1/1 Running; uid, startTime, podIP, qosClass and Ready's lastTransitionTime as the status server gave them"

wait_for "crash shows CrashLoopBackOff from the checkpoint's backoff" 20 crashlooping
ok "a crashing pod shows CrashLoopBackOff (the planner over the checkpoint's crash backoff)"

out=$(K describe pod web)
grep -qE '^Status: +Running' <<<"$out" && grep -qE '^ +Ready +True' <<<"$out" || fail "describe: $out"
[[ $(K logs web) == web-started ]] || fail "logs: $(K logs web)"
[[ $(K exec web -- echo from-exec) == from-exec ]] || fail "exec: $(K exec web -- echo from-exec 2>&1)"
ok "describe, logs and exec work through the runtime and the manifest directory"

if out=$(K get events 2>&1); then fail "get events should fail without the status server: $out"; fi
grep -q "readOnlyPort: 0" <<<"$out" || fail "get events' error: $out"
ok "get events says why there are none: $out"

cat >"$T/extra.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: extra}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
[[ $(K apply -f "$T/extra.yaml") == "pod/extra created" ]] || fail "apply"
out=$(K wait --for=condition=Ready pod/extra --timeout 60s) || fail "wait: $out"
ok "apply writes the config's staticPodPath and wait sees the pod Ready: $out"

out=$(K delete pod extra --timeout 60s) || fail "delete: $out"
cri_extra() { cri pods --name '^extra-node1$' -o json | jq -r '.[] | select(.state | test("READY$")) | select(.state | test("NOTREADY") | not) | .id'; }
[[ -z $(cri_extra) ]] || fail "delete returned while extra's sandbox is still ready: $(cri pods --name extra-node1 -o json)"
ok "delete waits until the agent has stopped the pod (its sandbox is no longer ready): $out"

unset -f K
out=$("$CRILET_BIN" get pods --config "$T/missing.yaml" 2>&1) && fail "a missing config should fail: $out"
grep -q "$T/missing.yaml" <<<"$out" || fail "missing config's error: $out"
ok "a config that cannot be read is named: $out"
