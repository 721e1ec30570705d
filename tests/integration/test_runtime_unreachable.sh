#!/usr/bin/env bash
# crilet started before its runtime: one clear line, /healthz and get pods say why, retries with backoff, then connects.
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
sock=$T/late/containerd.sock
"$CRILET_BIN" run --pod-manifest-path "$MANIFESTS" --container-runtime-endpoint "unix://$sock" \
  --root-dir "$ROOT" --pod-logs-dir "$LOGS" --hostname-override node1 --read-only-port "$PORT" --healthz-port 0 >"$T/crilet.log" 2>&1 &
CRILET_PID=$!
wait_for "the unreachable-runtime line" 5 grep -q "cannot reach container runtime at unix://$sock: " "$T/crilet.log"
[[ $(grep -c "cannot reach container runtime" "$T/crilet.log") == 1 ]] || fail "the error line should be printed once"
ok "one clear line: $(grep -o 'cannot reach container runtime at [^;]*' "$T/crilet.log" | head -1 | cut -c1-90)..."
code=$(curl -s -o "$T/healthz" -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
[[ $code == 500 ]] || fail "/healthz answered $code while the runtime is down"
grep -q "cannot reach container runtime" "$T/healthz" || fail "/healthz does not say why: $(cat "$T/healthz")"
ok "/healthz reports 500 with the reason"
# kubectl-style get must not answer "No resources found" for an agent that cannot see its runtime.
set +e
err=$(CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" get pods 2>&1)
rc=$?
set -e
[[ $rc == 1 ]] || fail "get pods exited $rc while the runtime is down: $err"
grep -qF "cannot reach container runtime at unix://$sock" <<<"$err" || fail "get pods does not say why: $err"
! grep -q "No resources found" <<<"$err" || fail "get pods claims no resources: $err"
ok "get pods fails (exit 1) saying: $(cut -c1-100 <<<"$err")..."
sleep 2
kill -0 "$CRILET_PID" || fail "crilet exited instead of retrying"
ok "crilet keeps retrying"

# Now the runtime appears at that socket: crilet connects and runs pods.
export CRILET_LAB_DIR=$T/late
start_lab
wait_for "connected" 15 grep -q "connected to containerd" "$T/crilet.log"
wait_for "/healthz ok" 5 curl -sf "http://127.0.0.1:$PORT/healthz"
grep -q "No resources found" <<<"$(CRILET_SERVER="http://127.0.0.1:$PORT" "$CRILET_BIN" get pods 2>&1)" || fail "get pods with no pods"
manifest p.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
wait_for "pod Running" 20 pod_is late '.status.phase == "Running"'
ok "after the runtime appears crilet connects and runs pods"
rm "$MANIFESTS/p.yaml"
wait_for "pod removed" 20 bash -c "[[ \$('$CRILET_BIN' cri -r 'unix://$sock' pods -o json | jq length) == 0 ]]"
stop_crilet TERM
echo "# $CHECKS checks passed"
