#!/usr/bin/env bash
# kubectl's apply, run, wait and delete on the node: apply writes one file per object into the manifest
# directory it finds through the daemon's /configz, and says created/unchanged/configured; an invalid file
# refuses the whole apply and writes nothing; run builds kubectl's pod; wait sees Ready; delete waits until
# the pod is gone, and a missing pod is kubectl's NotFound with exit 1.
source "$(dirname "$0")/lib.sh"

start_lab
start_crilet

W=$T/work
mkdir -p "$W"
cat > "$W/app.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {GREETING: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {token: "tok-5e1d0c"}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    command: [sh, -c, 'echo "$GREETING"; exec sleep 3600']
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: web-config, key: GREETING}}}
    - {name: TOKEN, valueFrom: {secretKeyRef: {name: web-secret, key: token}}}
YAML

# No --manifest-dir: the directory comes from the daemon's /configz (CRILET_SERVER names it).
out=$(C apply -f "$W/app.yaml")
[[ $out == $'configmap/web-config created\nsecret/web-secret created\npod/web created' ]] || fail "first apply: $out"
[[ $(stat -c '%a %U' "$MANIFESTS/default.web.pod.yaml") == "644 root" ]] || fail "pod file: $(stat -c '%a %U' "$MANIFESTS/default.web.pod.yaml")"
[[ $(stat -c '%a %U' "$MANIFESTS/default.web-secret.secret.yaml") == "600 root" ]] || fail "secret file mode"
[[ -f $MANIFESTS/default.web-config.configmap.yaml ]] || fail "no configmap file: $(ls "$MANIFESTS")"
ok "apply: created, one file per object (pod 0644, secret 0600, root-owned), directory from /configz"

wait_for "web Running" 30 pod_is web '.status.phase == "Running"'
[[ $(C logs web) == "hello" ]] || fail "web's log: $(C logs web)"
out=$(C wait --for=condition=Ready pod/web --timeout 30s)
[[ $out == "pod/web condition met" ]] || fail "wait: $out"
ok "the applied pod runs with its ConfigMap; wait --for=condition=Ready: $out"

out=$(C apply -f "$W/app.yaml")
[[ $out == $'configmap/web-config unchanged\nsecret/web-secret unchanged\npod/web unchanged' ]] || fail "second apply: $out"
ok "apply again: unchanged"

sed -i 's/GREETING: hello/GREETING: bonjour/' "$W/app.yaml"
out=$(C apply -f "$W/app.yaml")
[[ $out == $'configmap/web-config configured\nsecret/web-secret unchanged\npod/web unchanged' ]] || fail "edited apply: $out"
ok "an edit: configmap/web-config configured"

# Editing the pod: configured, and the daemon runs the new version.
sed -i 's/echo "\$GREETING"/echo "v2 $GREETING"/' "$W/app.yaml"
out=$(C apply -f "$W/app.yaml")
[[ $out == $'configmap/web-config unchanged\nsecret/web-secret unchanged\npod/web configured' ]] || fail "pod edit apply: $out"
wait_for "web runs the edited command" 60 bash -c "[[ \$(CRILET_SERVER=http://127.0.0.1:$PORT '$CRILET_BIN' logs web 2>/dev/null) == 'v2 bonjour' ]]"
C wait --for=condition=Ready pod/web --timeout 30s >/dev/null || fail "edited web not Ready"
ok "a pod edit: pod/web configured, and the new version runs (logs: v2 bonjour)"

# An invalid file among valid ones: everything is refused and nothing is written.
cat > "$W/bad.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: c
    image: docker.io/library/busybox:1.36
    ports: [{containerPort: 70000}]
YAML
cat > "$W/good.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: never-written}
data: {a: b}
YAML
before=$(ls -a "$MANIFESTS")
rc=0
err=$(C apply -f "$W/good.yaml" -f "$W/bad.yaml" 2>&1 >/dev/null) || rc=$?
[[ $rc == 1 ]] || fail "invalid apply exited $rc"
grep -q "bad.yaml:8: spec.containers\[0\].ports\[0\].containerPort: " <<<"$err" || fail "invalid apply's error: $err"
[[ $(ls -a "$MANIFESTS") == "$before" ]] || fail "an invalid apply changed the directory: $(ls -a "$MANIFESTS")"
ok "an invalid file refuses the whole apply with validate's error and writes nothing"

# The Secret's value is never printed.
leaks=$( { C apply -f "$W/app.yaml" 2>&1; C apply -f "$W/bad.yaml" -f "$W/app.yaml" 2>&1 || true; } | grep -c "tok-5e1d0c" || true)
[[ $leaks == 0 ]] || fail "apply printed the Secret's value"
ok "apply never prints the Secret's value"

# kubectl run: a pod that echoes and exits.
out=$(C run hi --image docker.io/library/busybox:1.36 --restart Never -- echo hi)
[[ $out == "pod/hi created" ]] || fail "run: $out"
out=$(C wait --for=jsonpath='{.status.phase}'=Succeeded pod/hi --timeout 60s)
[[ $out == "pod/hi condition met" ]] || fail "wait for Succeeded: $out"
[[ $(C logs hi) == "hi" ]] || fail "hi's log: $(C logs hi)"
pod hi | jq -e '.metadata.labels.run == "hi" and .spec.containers[0].name == "hi" and .spec.restartPolicy == "Never"' >/dev/null ||
  fail "run's pod: $(pod hi | jq -c '{labels: .metadata.labels, spec: .spec.containers[0].name, rp: .spec.restartPolicy}')"
ok "run NAME --image --restart Never -- echo hi: Succeeded, logs say hi, label run=hi"
rc=0
err=$(C run hi --image docker.io/library/busybox:1.36 2>&1) || rc=$?
[[ $rc == 1 && $err == 'Error from server (AlreadyExists): pods "hi" already exists' ]] || fail "run twice: $rc $err"

# wait's timeout, in kubectl's words.
rc=0
err=$(C wait --for=condition=Ready pod/nope --timeout 1s 2>&1) || rc=$?
[[ $rc == 1 && $err == "error: timed out waiting for the condition on pods/nope" ]] || fail "wait timeout: $rc $err"
ok "wait on a pod that never comes: kubectl's timeout error, exit 1"

# delete --wait=false returns at once; wait --for=delete then sees the pod go.
out=$(C delete pod hi --wait=false)
[[ $out == 'pod "hi" deleted' ]] || fail "delete --wait=false: $out"
out=$(C wait --for=delete pod/hi --timeout 60s)
[[ $out == "pod/hi condition met" ]] || fail "wait --for=delete: $out"
! pod hi >/dev/null || fail "hi still listed after wait --for=delete"
ok "delete --wait=false, then wait --for=delete until /pods no longer has it"

# delete waits until the pod is gone from /pods.
out=$(C delete pod web --timeout 60s)
[[ $out == 'pod "web" deleted' ]] || fail "delete: $out"
! pod web >/dev/null || fail "web still listed after delete returned"
[[ ! -e $MANIFESTS/default.web.pod.yaml ]] || fail "web's file is still there"
ok "delete pod web: printed kubectl's line and returned once /pods no longer had it"

rc=0
err=$(C delete pod web 2>&1) || rc=$?
[[ $rc == 1 && $err == 'Error from server (NotFound): pods "web" not found' ]] || fail "delete missing: $rc $err"
ok "delete of a missing pod: NotFound, exit 1"

# A pod from a hand-written file with several documents is refused, naming the file.
manifest hand.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: hand-config}
data: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: hand}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}]
YAML
rc=0
err=$(C delete pod hand --wait=false 2>&1) || rc=$?
[[ $rc == 1 && $err == *"$MANIFESTS/hand.yaml, which holds 2 objects and was not written by crilet apply"* ]] || fail "hand-written: $rc $err"
[[ -f $MANIFESTS/hand.yaml ]] || fail "the hand-written file was removed"
ok "delete of a pod in a hand-written file with two documents is refused, naming the file"

# Applying an object a hand-written file already defines is refused too: it would run twice.
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: hand}\nspec:\n  containers: [{name: c, image: docker.io/library/busybox:1.36}]\n' >"$W/hand.yaml"
rc=0
err=$(C apply -f "$W/hand.yaml" 2>&1) || rc=$?
[[ $rc == 1 && $err == *"pod \"hand\" is already defined by $MANIFESTS/hand.yaml, which crilet apply did not write"* ]] || fail "apply over hand-written: $rc $err"
[[ ! -e $MANIFESTS/default.hand.pod.yaml ]] || fail "apply wrote a second copy of hand"
ok "apply of a pod a hand-written file defines is refused, naming the file"

# -f URL: fetched once over HTTP (a loopback server in the test's directory).
mkdir -p "$W/www"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-url}\ndata: {k: v}\n' >"$W/www/cm.yaml"
HTTP_PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$W/www" "$HTTP_PORT" >"$T/http.log" 2>&1 &
HTTP_PID=$!
# The server is stopped on any exit; lib.sh's cleanup then sees the script's status (errexit is off in here).
trap 'status=$?; set +e; kill "$HTTP_PID" 2>/dev/null; (exit "$status"); cleanup' EXIT
wait_for "the test's HTTP server" 10 curl -sf "http://127.0.0.1:$HTTP_PORT/cm.yaml"
out=$(C apply -f "http://127.0.0.1:$HTTP_PORT/cm.yaml")
[[ $out == "configmap/from-url created" && -f $MANIFESTS/default.from-url.configmap.yaml ]] || fail "apply -f URL: $out"
kill "$HTTP_PID"
wait "$HTTP_PID" 2>/dev/null || true
out=$(C delete configmap from-url)
[[ $out == 'configmap "from-url" deleted' ]] || fail "delete configmap: $out"
ok "apply -f URL writes the object; delete configmap NAME removes it"

# --config: a KubeletConfiguration names the directory and the status server; no CRILET_SERVER needed.
cat >"$T/config.yaml" <<EOC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: $MANIFESTS
readOnlyPort: $PORT
EOC
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-config}\ndata: {k: v}\n' >"$W/cfg.yaml"
out=$(env -u CRILET_SERVER "$CRILET_BIN" apply --config "$T/config.yaml" -f "$W/cfg.yaml")
[[ $out == "configmap/from-config created" && -f $MANIFESTS/default.from-config.configmap.yaml ]] || fail "apply --config: $out"
out=$(env -u CRILET_SERVER "$CRILET_BIN" delete --config "$T/config.yaml" cm from-config)
[[ $out == 'configmap "from-config" deleted' ]] || fail "delete --config: $out"
ok "apply and delete find the directory through --config's staticPodPath"

rc=0
out=$(C delete -f "$W/app.yaml" --timeout 60s 2>"$T/delete.err") || rc=$?
[[ $rc == 1 && $out == $'configmap "web-config" deleted\nsecret "web-secret" deleted' &&
   $(cat "$T/delete.err") == 'Error from server (NotFound): pods "web" not found' ]] || fail "delete -f: $rc $out $(cat "$T/delete.err")"
[[ ! -e $MANIFESTS/default.web-config.configmap.yaml && ! -e $MANIFESTS/default.web-secret.secret.yaml ]] || fail "delete -f left files"
ok "delete -f removes the files apply wrote"

rm -f "$MANIFESTS"/*.yaml
wait_for "pods removed" 30 bash -c "[[ \$('$CRILET_BIN' cri -r '$CRILET_RUNTIME_ENDPOINT' pods -o json | jq length) == 0 ]]"
