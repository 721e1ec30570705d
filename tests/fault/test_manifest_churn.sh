#!/usr/bin/env bash
# Manifest churn: a file rewritten 1000 times in a second, renamed, truncated mid-write, emptied, replaced by a
# symlink and edited through it: crilet always ends at the last valid content, with one pod and one sandbox.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

# spec GEN: the pod's manifest, carrying GEN in an env var (a new GEN is a new pod UID).
spec() {
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: churn}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    env: [{name: GEN, value: "$1"}]
YAML
}
gen_running() {
  pod churn | jq -e --arg g "$1" '.spec.containers[0].env[0].value == $g and .status.phase == "Running" and .status.containerStatuses[0].ready' >/dev/null
}
one_pod() {
  [[ $(curl -sf "http://127.0.0.1:$PORT/pods" | jq '.items | length') == 1 &&
     $(cri pods -o json | jq '[.[] | select(.state == "Ready")] | length') == 1 ]]
}
adds() { grep -c "churn-node1: adding pod" "$T/crilet.log" || true; }

# 1. 1000 rewrites in place (open, truncate, write, close), as fast as Python can.
spec 0 >"$MANIFESTS/churn.yaml"
wait_for "generation 0 runs" 30 gen_running 0
adds0=$(adds)
took=$(python3 - "$MANIFESTS/churn.yaml" "$(spec GEN_PLACEHOLDER)" <<'PY'
import sys, time
path, template = sys.argv[1], sys.argv[2]
t = time.monotonic()
for i in range(1, 1001):
    with open(path, "w") as f:
        f.write(template.replace("GEN_PLACEHOLDER", str(i)) + "\n")
print("%.3f" % (time.monotonic() - t))
PY
)
inject "1000 in-place rewrites of churn.yaml in ${took}s (GEN 1..1000)"
wait_for "generation 1000 runs" 60 gen_running 1000
wait_for "one pod, one sandbox" 30 one_pod
found "ended at GEN 1000 after $(($(adds) - adds0)) pod replacements; $(count_cri pods) sandbox(es)"
ok "1000 rewrites in ${took}s: crilet ends at the last content"

# 2. Renamed: the same content from another file name (kubelet: a new UID, the pod is replaced).
uid=$(pod churn | jq -r .metadata.uid)
mv "$MANIFESTS/churn.yaml" "$MANIFESTS/renamed.yaml"
inject "rename churn.yaml -> renamed.yaml"
wait_for "a new UID from the new file name" 30 bash -c "[[ \$(curl -sf http://127.0.0.1:$PORT/pods/default/churn-node1 | jq -r .metadata.uid) != '$uid' ]]"
wait_for "generation 1000 runs from renamed.yaml" 30 gen_running 1000
wait_for "one pod, one sandbox after the rename" 30 one_pod
ok "rename: one pod, from the new file, at the last content"

# 3. Truncated mid-write: half a new version, then an empty file; the last valid version keeps running.
id=$(pod churn | jq -r '.status.containerStatuses[0].containerID')
spec 1001 | head -c 60 >"$MANIFESTS/renamed.yaml"
inject "renamed.yaml truncated to its first 60 bytes (GEN 1001 half written)"
wait_for "the half-written file is reported" 10 grep -q "renamed.yaml.*keeping the last valid version" "$T/crilet.log"
: >"$MANIFESTS/renamed.yaml"
inject "renamed.yaml emptied"
wait_for "the empty file is reported" 10 bash -c "[[ \$(grep -c 'renamed.yaml.*keeping the last valid version' '$T/crilet.log') -ge 2 ]]"
gen_running 1000 || fail "the last valid version (GEN 1000) stopped running"
[[ $(pod churn | jq -r '.status.containerStatuses[0].containerID') == "$id" ]] || fail "the running container was replaced"
found "after truncation and emptying: GEN 1000 still runs in the same container"
spec 1002 >"$MANIFESTS/renamed.yaml"
wait_for "generation 1002 runs" 30 gen_running 1002
ok "truncated or empty: the last valid version keeps running; the next valid one replaces it"

# 4. Replaced by a symlink (atomically), then edited through its target.
mkdir -p "$T/elsewhere"
spec 2000 >"$T/elsewhere/churn.yaml"
ln -s "$T/elsewhere/churn.yaml" "$MANIFESTS/.link"
mv -T "$MANIFESTS/.link" "$MANIFESTS/renamed.yaml"
inject "renamed.yaml replaced by a symlink to a file with GEN 2000"
wait_for "generation 2000 runs" 30 gen_running 2000
spec 2001 >"$T/elsewhere/churn.yaml"
inject "the symlink's target edited (GEN 2001)"
wait_for "generation 2001 runs" 30 gen_running 2001
wait_for "one pod, one sandbox at the end" 30 one_pod
found "end: GEN 2001 running, $(count_cri pods) sandbox(es), $(curl -sf "http://127.0.0.1:$PORT/pods" | jq '.items | length') pod(s)"
ok "symlink swap and target edit: crilet ends at the last valid content"
stop_crilet TERM
echo "# $CHECKS checks passed"
